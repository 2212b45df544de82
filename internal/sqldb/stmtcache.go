package sqldb

import (
	"container/list"
	"context"
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"
)

// SQLite compiles every statement it is given, and database/sql with
// modernc.org/sqlite gives it the SQL text on every query: parsing and
// planning a portal page's queries cost about three times what running them
// does. pgx already keeps each connection's prepared statements by their
// text; stmtCacheConnector gives SQLite connections the same, so a page's
// queries are compiled once per connection, not once per request.

// stmtCacheSize bounds each connection's compiled statements. The product
// runs a few hundred distinct statements; the least recently used are
// finalized past this.
const stmtCacheSize = 512

// stmtCacheConnector opens modernc.org/sqlite connections that keep their
// compiled statements.
type stmtCacheConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(sqliteConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("sqlite driver connection %T lacks the context methods the statement cache relies on", dc)
	}
	return &stmtCacheConn{sqliteConn: inner, stmts: map[string]*list.Element{}, order: list.New()}, nil
}

func (c stmtCacheConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what database/sql uses of a modernc.org/sqlite connection;
// stmtCacheConn passes all of it through except queries and execs.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// stmtCacheConn needs no lock: database/sql uses a connection, and the rows
// it returned, from one goroutine at a time.
type stmtCacheConn struct {
	sqliteConn
	stmts map[string]*list.Element // of *cachedStmt, by SQL text
	order *list.List               // most recently used first
}

type cachedStmt struct {
	query string
	stmt  sqliteStmt
	// busy while its rows are open: the same SQL run again before they are
	// closed (a query inside the loop over its own results) compiles a
	// statement of its own.
	busy bool
}

// stmtCacheMaxSQL is the longest SQL kept compiled: longer ones are bulk
// INSERTs of generated data, each run once, and would hold megabytes.
const stmtCacheMaxSQL = 32 << 10

// statement returns the compiled statement for query, compiling it on
// first use, or nil when the query is not to be kept or the kept one is in
// use.
func (c *stmtCacheConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if len(query) > stmtCacheMaxSQL {
		return nil, nil
	}
	if e, ok := c.stmts[query]; ok {
		c.order.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(sqliteStmt)
	if !ok {
		ds.Close()
		return nil, nil
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.stmts[query] = c.order.PushFront(cs)
	for e := c.order.Back(); c.order.Len() > stmtCacheSize && e != nil; {
		prev := e.Prev()
		if old := e.Value.(*cachedStmt); !old.busy {
			c.order.Remove(e)
			delete(c.stmts, old.query)
			old.stmt.Close()
		}
		e = prev
	}
	return cs, nil
}

func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *stmtCacheConn) Close() error {
	for e := c.order.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.stmts, c.order = nil, nil
	return c.sqliteConn.Close()
}

// cachedRows frees its statement for the next query when closed; the
// driver resets the statement then, ready to run again.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}
