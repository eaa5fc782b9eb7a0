"""Joint contracts, CQUIN, accreditation and pooled budgets (models arrive in a later issue)."""
