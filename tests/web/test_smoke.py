def test_pages_answer(clients):
    c = clients["pat"]
    r = c.get("/batches")
    assert r.status_code == 200, r.text
    r = c.get("/batches/1")
    assert r.status_code == 200, r.text
    r = clients["cal"].get("/collectors/C1")
    assert r.status_code == 200, r.text
    r = clients["cal"].get("/collectors/C1/batches/1")
    assert r.status_code == 200, r.text
    print(r.text[:3000])
