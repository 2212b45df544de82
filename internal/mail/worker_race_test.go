//go:build race

package mail

// raceEnabled says the race detector is on: it slows the worker and the
// test's SMTP server several times over, so the throughput test sends
// fewer messages and does not hold them to the minute.
const raceEnabled = true
