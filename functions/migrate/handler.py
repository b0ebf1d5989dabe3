"""Deploy-time trigger: apply the SQL migrations in order to the Neon database."""
from aws_lambda_powertools import Logger

from humitout.runtime import services

logger = Logger(service="migrate")


@logger.inject_lambda_context
def handler(event, context):
    applied = services().db.migrate()
    logger.info("migrations applied", extra={"applied": applied})
    return {"applied": applied}
