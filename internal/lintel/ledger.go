package lintel

import (
	"fmt"
	"strings"
)

// The ledger is double-entry in int64 minor units of the company's currency
// (DESIGN.md "Billing"). These are the shapes staff and jobs post; the
// store turns each into one balanced transaction.

// ChargeCategory says what a charge to a lease is for. It names the income
// account the charge credits (a deposit credits deposits held instead).
type ChargeCategory string

const (
	ChargeRent        ChargeCategory = "rent"
	ChargeDeposit     ChargeCategory = "deposit"
	ChargeFee         ChargeCategory = "fee"
	ChargeUtility     ChargeCategory = "utility"
	ChargeMaintenance ChargeCategory = "maintenance"
	ChargeLateFee     ChargeCategory = "late_fee"
	ChargeOther       ChargeCategory = "other"
)

// ChargeCategories lists the categories in the order forms offer them.
var ChargeCategories = []ChargeCategory{ChargeRent, ChargeDeposit, ChargeFee, ChargeUtility, ChargeMaintenance, ChargeLateFee, ChargeOther}

// Valid reports whether c is a known category.
func (c ChargeCategory) Valid() bool {
	for _, x := range ChargeCategories {
		if c == x {
			return true
		}
	}
	return false
}

// Label is the category as shown to people.
func (c ChargeCategory) Label() string {
	switch c {
	case ChargeRent:
		return "Rent"
	case ChargeDeposit:
		return "Deposit"
	case ChargeFee:
		return "Fee"
	case ChargeUtility:
		return "Utilities"
	case ChargeMaintenance:
		return "Maintenance"
	case ChargeLateFee:
		return "Late fee"
	case ChargeOther:
		return "Other"
	}
	return string(c)
}

// PaymentMethod is how money reached the company.
type PaymentMethod string

const (
	PayBankTransfer PaymentMethod = "bank_transfer"
	PayCheck        PaymentMethod = "check"
	PayCard         PaymentMethod = "card"
	PayCash         PaymentMethod = "cash"
	PayOther        PaymentMethod = "other"
)

// PaymentMethods lists the methods in the order forms offer them.
var PaymentMethods = []PaymentMethod{PayBankTransfer, PayCheck, PayCard, PayCash, PayOther}

// Valid reports whether m is a known method.
func (m PaymentMethod) Valid() bool {
	for _, x := range PaymentMethods {
		if m == x {
			return true
		}
	}
	return false
}

// Label is the method as shown to people.
func (m PaymentMethod) Label() string {
	switch m {
	case PayBankTransfer:
		return "Bank transfer"
	case PayCheck:
		return "Check"
	case PayCard:
		return "Card"
	case PayCash:
		return "Cash"
	case PayOther:
		return "Other"
	}
	return string(m)
}

// OwnerEntryKind is money moving between the company and an owner directly,
// or an expense billed to the owner.
type OwnerEntryKind string

const (
	OwnerContribution OwnerEntryKind = "owner_contribution"
	OwnerDistribution OwnerEntryKind = "owner_distribution"
	OwnerExpense      OwnerEntryKind = "owner_expense"
)

// OwnerEntryKinds lists the kinds in the order forms offer them.
var OwnerEntryKinds = []OwnerEntryKind{OwnerContribution, OwnerDistribution, OwnerExpense}

// Valid reports whether k is a known kind.
func (k OwnerEntryKind) Valid() bool {
	return k == OwnerContribution || k == OwnerDistribution || k == OwnerExpense
}

// Label is the kind as shown to people.
func (k OwnerEntryKind) Label() string {
	switch k {
	case OwnerContribution:
		return "Owner contribution"
	case OwnerDistribution:
		return "Owner distribution"
	case OwnerExpense:
		return "Expense billed to owner"
	}
	return string(k)
}

// TransactionKindLabel names a ledger transaction kind for people.
func TransactionKindLabel(kind string) string {
	switch kind {
	case "charge":
		return "Charge"
	case "payment":
		return "Payment"
	case "credit":
		return "Credit"
	case "reversal":
		return "Reversal"
	}
	if k := OwnerEntryKind(kind); k.Valid() {
		return k.Label()
	}
	return kind
}

// Limits on what people type into ledger forms.
const (
	MaxLedgerDescription = 200
	MaxLedgerReference   = 100
	MaxIdempotencyKey    = 200
	// MaxLedgerAmount keeps every sum far from int64 overflow: a billion
	// units of any currency per line.
	MaxLedgerAmount = 1_000_000_000_000
)

// NewCharge is a charge to a lease: rent, a deposit, a fee, utilities,
// billable maintenance (RequestID), a late fee. Period ("YYYY-MM") marks
// recurring rent: one charge per lease and period.
type NewCharge struct {
	LeaseID        int64
	Category       ChargeCategory
	Description    string
	Amount         int64
	Due            Date
	RequestID      int64
	Period         string
	IdempotencyKey string
}

// NewPayment is money received for a lease. ApplyTo names a charge to pay
// first; the rest goes to the oldest open charges, and what is left stays
// on the lease as credit for the next charge.
type NewPayment struct {
	LeaseID        int64
	Amount         int64
	Received       Date
	Method         PaymentMethod
	Reference      string
	ApplyTo        int64 // charge transaction id to pay first; 0 = oldest first
	IdempotencyKey string
}

// NewCredit lowers what a lease owes (a goodwill credit, a rent reduction),
// taken from the income category it reverses. Allocated like a payment.
type NewCredit struct {
	LeaseID        int64
	Category       ChargeCategory
	Description    string
	Amount         int64
	Date           Date
	ApplyTo        int64
	IdempotencyKey string
}

// NewOwnerEntry is an owner contribution, a distribution to an owner, or an
// expense billed to an owner (RequestID: the maintenance request it paid),
// on one asset: a property (UnitID 0) or a unit of it.
type NewOwnerEntry struct {
	Kind                  OwnerEntryKind
	ContactID, PropertyID int64
	UnitID                int64
	Amount                int64
	Date                  Date
	Description           string
	Method                string
	Reference             string
	RequestID             int64
	AllowNegative         bool // distribution above the owner's balance, on purpose
	IdempotencyKey        string
}

func checkAmount(fe FieldErrors, amount int64) {
	switch {
	case amount <= 0:
		fe.Add("amount", "Enter an amount greater than zero.")
	case amount > MaxLedgerAmount:
		fe.Add("amount", "That amount is too large for one line; split it.")
	}
}

func checkKey(fe FieldErrors, key string) {
	switch {
	case strings.TrimSpace(key) == "":
		fe.Add("idempotency_key", "This form has expired. Reload the page and submit it again.")
	case len(key) > MaxIdempotencyKey:
		fe.Add("idempotency_key", "This form is damaged. Reload the page and submit it again.")
	}
}

func checkDescription(fe FieldErrors, d string, required bool) {
	switch {
	case required && strings.TrimSpace(d) == "":
		fe.Add("description", "Describe the line as the tenant will read it, e.g. \"Rent for March\".")
	case len(d) > MaxLedgerDescription:
		fe.Add("description", fmt.Sprintf("Keep the description under %d characters.", MaxLedgerDescription))
	}
}

// ValidPeriod reports whether p is a "YYYY-MM" rent period.
func ValidPeriod(p string) bool {
	if len(p) != 7 || p[4] != '-' {
		return false
	}
	_, err := ParseDate(p + "-01")
	return err == nil
}

// Validate checks a charge before posting.
func (c NewCharge) Validate() error {
	fe := FieldErrors{}
	if c.LeaseID <= 0 {
		fe.Add("lease", "Choose the lease to charge.")
	}
	if !c.Category.Valid() {
		fe.Add("category", "Choose what the charge is for.")
	}
	checkDescription(fe, c.Description, true)
	checkAmount(fe, c.Amount)
	if c.Due.IsZero() {
		fe.Add("due", "Enter the due date.")
	}
	if c.Period != "" {
		if !ValidPeriod(c.Period) {
			fe.Add("period", "Use a month like 2026-03.")
		}
		if c.Category != ChargeRent {
			fe.Add("period", "Only rent charges have a period.")
		}
	}
	checkKey(fe, c.IdempotencyKey)
	return fe.Err()
}

// Validate checks a payment before posting.
func (p NewPayment) Validate() error {
	fe := FieldErrors{}
	if p.LeaseID <= 0 {
		fe.Add("lease", "Choose the lease that paid.")
	}
	checkAmount(fe, p.Amount)
	if p.Received.IsZero() {
		fe.Add("received", "Enter the date the payment was received.")
	}
	if !p.Method.Valid() {
		fe.Add("method", "Choose how it was paid.")
	}
	if len(p.Reference) > MaxLedgerReference {
		fe.Add("reference", fmt.Sprintf("Keep the reference under %d characters.", MaxLedgerReference))
	}
	if p.ApplyTo < 0 {
		fe.Add("apply_to", "Choose an open charge of this lease, or leave it to pay the oldest first.")
	}
	checkKey(fe, p.IdempotencyKey)
	return fe.Err()
}

// Validate checks a credit before posting.
func (c NewCredit) Validate() error {
	fe := FieldErrors{}
	if c.LeaseID <= 0 {
		fe.Add("lease", "Choose the lease to credit.")
	}
	if !c.Category.Valid() || c.Category == ChargeDeposit {
		fe.Add("category", "Choose what the credit is for (a deposit is returned as a payment out, not a credit).")
	}
	checkDescription(fe, c.Description, true)
	checkAmount(fe, c.Amount)
	if c.Date.IsZero() {
		fe.Add("date", "Enter the date of the credit.")
	}
	if c.ApplyTo < 0 {
		fe.Add("apply_to", "Choose an open charge of this lease, or leave it to pay the oldest first.")
	}
	checkKey(fe, c.IdempotencyKey)
	return fe.Err()
}

// Validate checks an owner entry before posting.
func (e NewOwnerEntry) Validate() error {
	fe := FieldErrors{}
	if !e.Kind.Valid() {
		fe.Add("kind", "Choose a contribution, a distribution or an expense.")
	}
	if e.ContactID <= 0 {
		fe.Add("owner", "Choose the owner.")
	}
	if e.PropertyID <= 0 {
		fe.Add("property", "Choose the property (and unit, if the owner owns one unit).")
	}
	if e.UnitID < 0 {
		fe.Add("unit", "Choose a unit of the property, or none for the whole property.")
	}
	checkAmount(fe, e.Amount)
	if e.Date.IsZero() {
		fe.Add("date", "Enter the date.")
	}
	checkDescription(fe, e.Description, e.Kind == OwnerExpense)
	if e.Method != "" && !PaymentMethod(e.Method).Valid() {
		fe.Add("method", "Choose how the money moved.")
	}
	if len(e.Reference) > MaxLedgerReference {
		fe.Add("reference", fmt.Sprintf("Keep the reference under %d characters.", MaxLedgerReference))
	}
	if e.RequestID < 0 || (e.RequestID != 0 && e.Kind != OwnerExpense) {
		fe.Add("request", "Only an expense can name a maintenance request.")
	}
	checkKey(fe, e.IdempotencyKey)
	return fe.Err()
}

// SplitByShares splits total into parts proportional to sharesBP (basis
// points) by the largest-remainder method, so the parts sum to total
// exactly, whatever the shares add up to: the remainder cents go to the
// largest fractional parts, ties to the earlier share. A zero share sum
// gives every part 0 except the first, which gets total.
func SplitByShares(total int64, sharesBP []int) []int64 {
	parts := make([]int64, len(sharesBP))
	if len(sharesBP) == 0 {
		return parts
	}
	var sum int64
	for _, s := range sharesBP {
		if s > 0 {
			sum += int64(s)
		}
	}
	if sum == 0 {
		parts[0] = total
		return parts
	}
	neg := total < 0
	t := total
	if neg {
		t = -t
	}
	rems := make([]int64, len(sharesBP))
	var given int64
	for i, s := range sharesBP {
		if s <= 0 {
			continue
		}
		// t ≤ MaxLedgerAmount·k and s ≤ 10000 keep this product in int64
		// for any realistic total; the quotient/remainder split avoids
		// overflow for larger t as well.
		q, r := t/sum, t%sum
		parts[i] = q*int64(s) + (r*int64(s))/sum
		rems[i] = (r * int64(s)) % sum
		given += parts[i]
	}
	for left := t - given; left > 0; left-- {
		best := -1
		for i, s := range sharesBP {
			if s <= 0 {
				continue
			}
			if best < 0 || rems[i] > rems[best] {
				best = i
			}
		}
		parts[best]++
		rems[best] = -1
	}
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts
}
