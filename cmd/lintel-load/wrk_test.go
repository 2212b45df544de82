package main

import (
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	const report = `Running 2s test @ http://127.0.0.1:40123/portal
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   104.42ms   50.10ms 401.00ms   70.00%
    Req/Sec   270.00     30.00   300.00     80.00%
  Latency Distribution
     50%  104.40ms
     75%  150.00ms
     90%  200.00ms
     99%  285.80ms
  1080 requests in 2.00s, 12.34MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    540.12
Transfer/sec:      6.17MB
`
	r, err := parseWrk(report)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 540.12 || r.p50 != 104400*time.Microsecond || r.p99 != 285800*time.Microsecond || r.errors != 9 {
		t.Fatalf("parsed %+v", r)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Fatal("a failed run parsed as a result")
	}
	for in, want := range map[string]time.Duration{"812.00us": 812 * time.Microsecond, "1.50s": 1500 * time.Millisecond, "2.00m": 2 * time.Minute} {
		if got, err := parseWrkDuration(in); err != nil || got != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestMedianAndPages(t *testing.T) {
	m := median([]wrkResult{{rps: 3}, {rps: 1}, {rps: 2}})
	if m.rps != 2 {
		t.Fatalf("median %v", m.rps)
	}
	set := pageSet{task: "tok"}
	if got := set.pages("tenant home, contractor task page"); len(got) != 2 || got[1].path != "/t/tok" {
		t.Fatalf("pages filter: %+v", got)
	}
	if len(set.pages("")) < 20 {
		t.Fatal("the page set lost pages")
	}
}
