package web

// billingRoutes are billing: the lease ledger, receivables and
// the rent roll in the manager app, owners' entries, and the portal's
// Billing tab. Each capability keeps its own list and adds one line here.
func (s *Server) billingRoutes() []route {
	var all []route
	for _, part := range [][]route{
		s.manageLedgerRoutes(),
		s.billingReportRoutes(),
		s.portalBillingRoutes(),
		s.ownerLedgerRoutes(),
	} {
		all = append(all, part...)
	}
	return all
}
