"""The REST API: read endpoints for the programme, write endpoints for field records."""
