// Package lintel holds Lintel's domain: the records a property-management
// company keeps, the actors that act on them, the rules and the error kinds.
// It does no I/O; the adapters (sqldb, web, mail, blob) depend on it, never
// the other way round.
package lintel
