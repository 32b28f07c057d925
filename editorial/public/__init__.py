"""The approved public version of a claim: one type, built at approval, read back, compared."""
