"""Interface: the web app (`commission serve`), an ASGI app on Starlette with server-rendered Jinja2
pages. Like the CLI it parses a request, calls one function of the application layer (commission.app)
and presents what it returns; who may do what is the application's rule, never the page's."""
