"""The assessment API alone, for the latency benchmark (no database needed)."""

from fastapi import FastAPI

from service.api.assessments import router

app = FastAPI(title="housing-benefit assessments")
app.include_router(router)
