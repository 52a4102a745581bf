"""The web side of `thads serve`: the published HTML report and the provinces' check page.

- `thads.web.app.create_app(...)`: the FastAPI application (server-side HTML, no JavaScript
  build step);
- `thads.web.uploads`: what an upload may be (size, name) and where it may be written;
- `thads.web.province`: a province's own submissions, with their reasons in Vietnamese.
"""
