"""Deploy-time trigger: apply the SQL migrations in order to the Neon database.

On the very first deploy the ``DatabaseUrl`` secret still holds the stack's placeholder: the
trigger then succeeds without migrating (one warning line says what to do), so the stack does not
roll back; after putting the URL in the secret, invoke this function (README: Deploy to AWS).
"""
from aws_lambda_powertools import Logger

from humitout.runtime import load_settings, services

logger = Logger(service="migrate")


@logger.inject_lambda_context
def handler(event, context):
    missing = load_settings().missing(("database",))
    if missing:
        logger.warning(f"migrations skipped, not configured: {missing[0]}; set it, then invoke this function")
        return {"applied": [], "skipped": missing[0]}
    applied = services().db.migrate()
    logger.info("migrations applied", extra={"applied": applied})
    return {"applied": applied}
