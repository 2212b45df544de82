package web

// portalRoutes are the resident portal's surface: the resident portal's tabs (lease,
// assets, documents, billing), profile and settings, help pages, and the
// manager's side of documents and resource links. Each capability lists its
// own routes in its file; this is the index.
func (s *Server) portalRoutes() []route {
	var all []route
	for _, part := range [][]route{
		// One line per capability, e.g. s.documentRoutes(),
		s.profileRoutes(),
		s.portalTabRoutes(),
		s.helpRoutes(),
		s.documentRoutes(),
	} {
		all = append(all, part...)
	}
	return all
}
