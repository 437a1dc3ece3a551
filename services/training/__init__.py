"""Training: digital-skills courses, enrolment with waitlists, certificates, digital maturity assessments."""
