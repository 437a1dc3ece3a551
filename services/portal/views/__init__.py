"""Every page of the portal, one blueprint per area."""

from services.portal.views import (
    applications,
    buying,
    clerk,
    courses,
    home,
    inbox,
    learner,
    market,
    maturity,
    needs_review,
    preferences,
    register,
    selling,
    signin,
    trainer,
    workers,
)

VIEWS = [
    home.blp,
    signin.blp,
    inbox.blp,
    preferences.blp,
    register.blp,
    applications.blp,
    clerk.blp,
    needs_review.blp,
    market.blp,
    selling.blp,
    buying.blp,
    courses.blp,
    trainer.blp,
    learner.blp,
    maturity.blp,
    workers.blp,
]
