"""Demo data for a municipality that wants to try Balai: businesses, cooperatives, permits, deeds, accounts,
pages and news. Used by `flask demo …`, the tests and the benchmarks; never by a request."""
