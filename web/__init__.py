"""The analysts' workbench (`atrisk serve`): Starlette + Jinja2 under uvicorn, no JavaScript build."""
