package lintel

// Role is a staff member's role in one company.
type Role string

const (
	RoleAdmin       Role = "admin"       // everything, including staff and settings
	RoleManager     Role = "manager"     // records, maintenance, documents, billing
	RoleBookkeeper  Role = "bookkeeper"  // reads records, posts to the ledger
	RoleMaintenance Role = "maintenance" // reads records, dispatches maintenance
)

// Roles lists the roles in the order they are offered in forms.
var Roles = []Role{RoleAdmin, RoleManager, RoleBookkeeper, RoleMaintenance}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name as shown to people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleManager:
		return "Property manager"
	case RoleBookkeeper:
		return "Bookkeeper"
	case RoleMaintenance:
		return "Maintenance coordinator"
	}
	return string(r)
}

// Permission is something a staff role may or may not do.
type Permission int

const (
	PermViewRecords Permission = iota // see properties, units, contacts, leases
	PermEditRecords                   // create, edit, archive records; invite residents
	PermManageStaff                   // invite staff, change roles
	PermPostLedger                    // post charges and payments
	PermDispatch                      // triage and dispatch maintenance
)

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool {
	switch p {
	case PermViewRecords:
		return r.Valid()
	case PermEditRecords:
		return r == RoleAdmin || r == RoleManager
	case PermManageStaff:
		return r == RoleAdmin
	case PermPostLedger:
		return r == RoleAdmin || r == RoleManager || r == RoleBookkeeper
	case PermDispatch:
		return r == RoleAdmin || r == RoleManager || r == RoleMaintenance
	}
	return false
}

// Staff is the actor for the manager app: one user acting as a member of
// one company with one role. Every manager-app query is scoped by
// CompanyID; Role decides which actions are open.
type Staff struct {
	UserID    int64
	CompanyID int64
	Role      Role
	Name      string
}

// Can reports whether the staff member's role has permission p.
func (s Staff) Can(p Permission) bool { return s.Role.Can(p) }

// Require returns ErrForbidden unless the staff member has permission p.
func (s Staff) Require(p Permission) error {
	if !s.Can(p) {
		return ErrForbidden
	}
	return nil
}

// Resident is the actor for the portal: a signed-in person whose verified
// e-mail links them to tenant and owner contacts, in any company. The links
// are resolved in SQL from Email, never taken from a request.
type Resident struct {
	UserID int64
	Email  string // verified, lower-case
	Name   string
}
