"""Application layer: the workflows every interface calls (run a period, batches, statements, simulation).
Plain values in, results or problems out; it decides the rules of a workflow and never prints."""
