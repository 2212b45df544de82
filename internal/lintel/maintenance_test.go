package lintel

import "testing"

func TestRequestTransitions(t *testing.T) {
	cases := []struct {
		from, to RequestStatus
		want     bool
	}{
		{StatusSubmitted, StatusAssigned, true},
		{StatusSubmitted, StatusAwaitingApproval, true},
		{StatusAwaitingApproval, StatusApproved, true},
		{StatusAwaitingApproval, StatusAssigned, false}, // not before the owner decides
		{StatusDeclined, StatusAwaitingApproval, true},  // resubmitted by the manager
		{StatusSubmitted, StatusApproved, true},         // under the approval limit
		{StatusDeclined, StatusApproved, true},          // resubmitted under the limit
		{StatusDeclined, StatusAssigned, false},         // not against the owner's decision
		{StatusApproved, StatusAssigned, true},
		{StatusAssigned, StatusCompleted, true},
		{StatusCompleted, StatusClosed, true},
		{StatusCompleted, StatusAssigned, true}, // follow-up visit
		{StatusClosed, StatusAssigned, false},
		{StatusClosed, StatusCancelled, false},
		{StatusCancelled, StatusSubmitted, false},
		{StatusScheduled, StatusCancelled, true},
		{StatusSubmitted, StatusCompleted, false},
	}
	for _, c := range cases {
		if got := c.from.CanMove(c.to); got != c.want {
			t.Errorf("%s → %s = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	for _, s := range RequestStatuses {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("status %q has no label", s)
		}
		if _, ok := transitions[s]; !ok {
			t.Errorf("status %q has no transitions entry", s)
		}
	}
}

func TestDefaultCategories(t *testing.T) {
	names := map[string]bool{}
	for _, c := range DefaultCategories() {
		names[c.Name] = true
	}
	for _, want := range []string{"Appliance", "Electrical", "Plumbing", "Door or lock", "Heating or cooling", "Pests", "Other"} {
		if !names[want] {
			t.Errorf("default categories lack %q", want)
		}
	}
}
