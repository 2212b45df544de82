package lintel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSplitByShares(t *testing.T) {
	for _, tc := range []struct {
		name   string
		total  int64
		shares []int
		want   []int64
	}{
		{"even", 1000, []int{5000, 5000}, []int64{500, 500}},
		{"60/40", 100001, []int{6000, 4000}, []int64{60001, 40000}},
		{"thirds: the extra cent to the first tie", 100, []int{3333, 3333, 3334}, []int64{33, 33, 34}},
		{"thirds of 1", 1, []int{3333, 3333, 3334}, []int64{0, 0, 1}},
		{"equal thirds", 100, []int{1, 1, 1}, []int64{34, 33, 33}},
		{"largest remainder wins", 10, []int{1500, 2500, 6000}, []int64{2, 2, 6}},
		{"negative", -101, []int{5000, 5000}, []int64{-51, -50}},
		{"zero shares: all to the first", 77, []int{0, 0}, []int64{77, 0}},
		{"a zero share gets nothing", 99, []int{0, 10000}, []int64{0, 99}},
		{"none", 50, nil, []int64{}},
		{"large", 999_999_999_999_99, []int{3333, 6667}, []int64{333_300_000_000_00, 666_699_999_999_99}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SplitByShares(tc.total, tc.shares); !slices.Equal(got, tc.want) {
				t.Errorf("SplitByShares(%d, %v) = %v, want %v", tc.total, tc.shares, got, tc.want)
			}
		})
	}
	// Whatever the shares, the parts add up to the total and each is within
	// one cent of its exact share.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		shares := make([]int, 1+r.IntN(6))
		sum := 0
		for i := range shares {
			shares[i] = 1 + r.IntN(10000)
			sum += shares[i]
		}
		total := r.Int64N(10_000_000_000)
		parts := SplitByShares(total, shares)
		var got int64
		for i, p := range parts {
			got += p
			exact := float64(total) * float64(shares[i]) / float64(sum)
			if float64(p) < exact-1 || float64(p) > exact+1 {
				t.Fatalf("SplitByShares(%d, %v): part %d = %d, exact %f", total, shares, i, p, exact)
			}
		}
		if got != total {
			t.Fatalf("SplitByShares(%d, %v) = %v sums to %d", total, shares, parts, got)
		}
	}
}

func TestLedgerValidate(t *testing.T) {
	day := Date{2026, 3, 1}
	for _, tc := range []struct {
		name  string
		err   error
		field string // "" = valid
	}{
		{"charge ok", NewCharge{LeaseID: 1, Category: ChargeRent, Description: "Rent for March", Amount: 1, Due: day, Period: "2026-03", IdempotencyKey: "k"}.Validate(), ""},
		{"charge without lease", NewCharge{Category: ChargeRent, Description: "x", Amount: 1, Due: day, IdempotencyKey: "k"}.Validate(), "lease"},
		{"charge unknown category", NewCharge{LeaseID: 1, Category: "bribe", Description: "x", Amount: 1, Due: day, IdempotencyKey: "k"}.Validate(), "category"},
		{"charge of zero", NewCharge{LeaseID: 1, Category: ChargeFee, Description: "x", Due: day, IdempotencyKey: "k"}.Validate(), "amount"},
		{"charge too large", NewCharge{LeaseID: 1, Category: ChargeFee, Description: "x", Amount: MaxLedgerAmount + 1, Due: day, IdempotencyKey: "k"}.Validate(), "amount"},
		{"charge without description", NewCharge{LeaseID: 1, Category: ChargeFee, Description: " ", Amount: 1, Due: day, IdempotencyKey: "k"}.Validate(), "description"},
		{"charge without due date", NewCharge{LeaseID: 1, Category: ChargeFee, Description: "x", Amount: 1, IdempotencyKey: "k"}.Validate(), "due"},
		{"period on a fee", NewCharge{LeaseID: 1, Category: ChargeFee, Description: "x", Amount: 1, Due: day, Period: "2026-03", IdempotencyKey: "k"}.Validate(), "period"},
		{"bad period", NewCharge{LeaseID: 1, Category: ChargeRent, Description: "x", Amount: 1, Due: day, Period: "2026-13", IdempotencyKey: "k"}.Validate(), "period"},
		{"charge without key", NewCharge{LeaseID: 1, Category: ChargeFee, Description: "x", Amount: 1, Due: day}.Validate(), "idempotency_key"},
		{"payment ok", NewPayment{LeaseID: 1, Amount: 5, Received: day, Method: PayCheck, IdempotencyKey: "k"}.Validate(), ""},
		{"payment negative", NewPayment{LeaseID: 1, Amount: -5, Received: day, Method: PayCheck, IdempotencyKey: "k"}.Validate(), "amount"},
		{"payment without method", NewPayment{LeaseID: 1, Amount: 5, Received: day, IdempotencyKey: "k"}.Validate(), "method"},
		{"payment without date", NewPayment{LeaseID: 1, Amount: 5, Method: PayCash, IdempotencyKey: "k"}.Validate(), "received"},
		{"credit ok", NewCredit{LeaseID: 1, Category: ChargeRent, Description: "Heating off", Amount: 5, Date: day, IdempotencyKey: "k"}.Validate(), ""},
		{"credit of a deposit", NewCredit{LeaseID: 1, Category: ChargeDeposit, Description: "x", Amount: 5, Date: day, IdempotencyKey: "k"}.Validate(), "category"},
		{"owner entry ok", NewOwnerEntry{Kind: OwnerDistribution, ContactID: 1, PropertyID: 2, Amount: 5, Date: day, IdempotencyKey: "k"}.Validate(), ""},
		{"expense needs a description", NewOwnerEntry{Kind: OwnerExpense, ContactID: 1, PropertyID: 2, Amount: 5, Date: day, IdempotencyKey: "k"}.Validate(), "description"},
		{"request on a contribution", NewOwnerEntry{Kind: OwnerContribution, ContactID: 1, PropertyID: 2, Amount: 5, Date: day, RequestID: 3, IdempotencyKey: "k"}.Validate(), "request"},
		{"owner entry unknown kind", NewOwnerEntry{Kind: "gift", ContactID: 1, PropertyID: 2, Amount: 5, Date: day, IdempotencyKey: "k"}.Validate(), "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := FieldsOf(tc.err)
			switch {
			case tc.field == "" && tc.err != nil:
				t.Errorf("want valid, got %v", tc.err)
			case tc.field != "" && fields[tc.field] == "":
				t.Errorf("want a message for %s, got %v", tc.field, tc.err)
			}
		})
	}
	for _, c := range ChargeCategories {
		if !c.Valid() || c.Label() == string(c) {
			t.Errorf("category %s: valid %v, label %q", c, c.Valid(), c.Label())
		}
	}
	for _, m := range PaymentMethods {
		if !m.Valid() || m.Label() == string(m) {
			t.Errorf("method %s: valid %v, label %q", m, m.Valid(), m.Label())
		}
	}
}
