package web

// maintenanceRoutes are maintenance: residents' requests, the
// manager's maintenance desk, owner approvals and the contractor's task
// page. Each capability keeps its own list here so the whole surface stays
// readable in one place.
func (s *Server) maintenanceRoutes() []route {
	var all []route
	for _, part := range [][]route{
		s.categoryRoutes(),
		s.residentMaintenanceRoutes(),
		s.manageMaintenanceRoutes(),
		s.approvalRoutes(),
		s.contractorRoutes(),
	} {
		all = append(all, part...)
	}
	return all
}
