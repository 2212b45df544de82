package lintel

import (
	"time"
)

// RequestStatus is where a maintenance request stands (DESIGN.md,
// "Maintenance lifecycle").
type RequestStatus string

const (
	StatusSubmitted        RequestStatus = "submitted"
	StatusAwaitingApproval RequestStatus = "awaiting_approval"
	StatusApproved         RequestStatus = "approved"
	StatusDeclined         RequestStatus = "declined"
	StatusAssigned         RequestStatus = "assigned"
	StatusScheduled        RequestStatus = "scheduled"
	StatusInProgress       RequestStatus = "in_progress"
	StatusCompleted        RequestStatus = "completed"
	StatusClosed           RequestStatus = "closed"
	StatusCancelled        RequestStatus = "cancelled"
)

// RequestStatuses lists the statuses in lifecycle order, for filters.
var RequestStatuses = []RequestStatus{StatusSubmitted, StatusAwaitingApproval, StatusApproved, StatusDeclined,
	StatusAssigned, StatusScheduled, StatusInProgress, StatusCompleted, StatusClosed, StatusCancelled}

// Label is the status in plain words.
func (s RequestStatus) Label() string {
	switch s {
	case StatusSubmitted:
		return "Submitted"
	case StatusAwaitingApproval:
		return "Awaiting owner approval"
	case StatusApproved:
		return "Approved"
	case StatusDeclined:
		return "Declined by owner"
	case StatusAssigned:
		return "Assigned"
	case StatusScheduled:
		return "Scheduled"
	case StatusInProgress:
		return "In progress"
	case StatusCompleted:
		return "Completed"
	case StatusClosed:
		return "Closed"
	case StatusCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s RequestStatus) Valid() bool {
	for _, x := range RequestStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Open reports whether work on the request may still happen.
func (s RequestStatus) Open() bool { return s != StatusClosed && s != StatusCancelled }

// transitions lists, for each status, the statuses it may move to. Cancel
// is allowed from every open state and is checked separately.
var transitions = map[RequestStatus][]RequestStatus{
	// submitted → approved and declined → approved: an estimate under the
	// property's approval limit needs no owner (sqldb.RequestApproval).
	StatusSubmitted:        {StatusAwaitingApproval, StatusApproved, StatusAssigned, StatusScheduled, StatusClosed},
	StatusAwaitingApproval: {StatusApproved, StatusDeclined, StatusSubmitted},
	StatusApproved:         {StatusAssigned, StatusScheduled, StatusClosed},
	StatusDeclined:         {StatusAwaitingApproval, StatusApproved, StatusClosed}, // a manager may resubmit
	StatusAssigned:         {StatusScheduled, StatusInProgress, StatusCompleted, StatusAssigned, StatusSubmitted},
	StatusScheduled:        {StatusInProgress, StatusCompleted, StatusAssigned, StatusScheduled, StatusSubmitted},
	StatusInProgress:       {StatusCompleted, StatusAssigned, StatusScheduled, StatusSubmitted},
	StatusCompleted:        {StatusClosed, StatusAssigned, StatusScheduled}, // a follow-up visit reopens work
	StatusClosed:           {},
	StatusCancelled:        {},
}

// CanMove reports whether a request may go from s to next.
func (s RequestStatus) CanMove(next RequestStatus) bool {
	if next == StatusCancelled {
		return s.Open()
	}
	for _, x := range transitions[s] {
		if x == next {
			return true
		}
	}
	return false
}

// Priority is how urgent a request is.
type Priority string

const (
	PriorityLow       Priority = "low"
	PriorityNormal    Priority = "normal"
	PriorityHigh      Priority = "high"
	PriorityEmergency Priority = "emergency"
)

// Priorities lists priorities from least to most urgent.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityEmergency}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	for _, x := range Priorities {
		if p == x {
			return true
		}
	}
	return false
}

// QuestionKind is how a troubleshooting question is answered.
type QuestionKind string

const (
	QuestionText   QuestionKind = "text"
	QuestionYesNo  QuestionKind = "yesno"
	QuestionChoice QuestionKind = "choice"
)

// Question is a troubleshooting question of a category.
type Question struct {
	ID       int64
	Prompt   string
	Kind     QuestionKind
	Options  []string // for QuestionChoice
	Required bool
}

// Category is a kind of maintenance issue with its questions.
type Category struct {
	ID        int64
	CompanyID int64
	Name      string
	Position  int
	Questions []Question
	Archived  bool
}

// DefaultCategories are what a new company starts with; each company can
// change them.
func DefaultCategories() []Category {
	yn := func(p string) Question { return Question{Prompt: p, Kind: QuestionYesNo, Required: true} }
	txt := func(p string) Question { return Question{Prompt: p, Kind: QuestionText} }
	return []Category{
		{Name: "Appliance", Questions: []Question{txt("Which appliance (e.g. fridge, oven, washer) and its brand, if you know it?"), yn("Is it plugged in and switched on at the wall?"), yn("Have you tried turning it off and on again?")}},
		{Name: "Electrical", Questions: []Question{yn("Is power out in the whole unit?"), yn("Have you checked the breaker or fuse box?"), yn("Is there any burning smell, sparking or heat? If so, leave the area and call emergency services.")}},
		{Name: "Plumbing", Questions: []Question{yn("Is water leaking right now?"), yn("Have you turned off the water to the fixture, if you can?"), txt("Where is the problem (kitchen, bathroom, …)?")}},
		{Name: "Door or lock", Questions: []Question{yn("Can you secure the unit right now?"), txt("Which door or lock?")}},
		{Name: "Heating or cooling", Questions: []Question{yn("Is the thermostat set and does it have power or fresh batteries?"), yn("Is there no heat or cooling at all?"), txt("What temperature is it inside, roughly?")}},
		{Name: "Pests", Questions: []Question{txt("What have you seen (mice, cockroaches, ants, …)?"), txt("Where and how often?")}},
		{Name: "Other", Questions: []Question{}},
	}
}

// Request is a maintenance request.
type Request struct {
	ID                 int64
	CompanyID          int64
	PropertyID         int64
	PropertyName       string // filled by reads
	PropertyAddress    string // filled by reads
	UnitID             int64  // 0: the property as a whole
	UnitLabel          string // filled by reads
	CommonArea         bool   // filled by reads: the unit is a common area
	LeaseID            int64
	CategoryID         int64
	CategoryName       string
	RequestedByUserID  int64
	RequestedByContact int64
	RequesterName      string // filled by reads
	CreatedByStaffID   int64
	Summary            string // what residents see
	Description        string
	OccurredOn         Date
	AccessTimes        []string
	PermissionToEnter  bool
	Pets               string
	Priority           Priority
	Status             RequestStatus
	Version            int
	StaffNotes         string
	Answers            []Answer
	CreatedAt          time.Time
	UpdatedAt          time.Time
	ClosedAt           time.Time
}

// Answer is one answered troubleshooting question.
type Answer struct {
	QuestionID int64
	Prompt     string
	Answer     string
}

// VisitStatus is where one operator's visit stands.
type VisitStatus string

const (
	VisitAssigned   VisitStatus = "assigned"
	VisitScheduled  VisitStatus = "scheduled"
	VisitCompleted  VisitStatus = "completed"
	VisitUnable     VisitStatus = "unable"
	VisitReassigned VisitStatus = "reassigned"
	VisitCancelled  VisitStatus = "cancelled"
)

// FollowUp is what a contractor asks for after completing a visit.
type FollowUp string

const (
	FollowUpNone          FollowUp = ""
	FollowUpReturn        FollowUp = "return"         // "I need to return at a later time"
	FollowUpOtherOperator FollowUp = "other_operator" // "Another operator is required"
)

// Visit is one trip by one operator to work on a request.
type Visit struct {
	ID                 int64
	CompanyID          int64
	RequestID          int64
	OperatorID         int64
	OperatorName       string // filled by reads
	Status             VisitStatus
	ScheduledAt        time.Time
	TenantNotes        string
	ManagerNotes       string
	OutcomeReason      string
	FollowUp           FollowUp
	FollowUpReason     string
	InvoiceNumber      string
	InvoiceDate        Date
	InvoiceAmountMinor *int64
	InvoiceTaxMinor    *int64
	InvoiceFileID      int64
	TokenRevoked       time.Time
	TokenLastOpened    time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	CompletedAt        time.Time
}

// ContractorLinkLife is how long a contractor's link keeps working after
// its request is closed (SECURITY.md 14, project choice): long enough to
// send a late invoice photo from the van, short enough not to linger.
const ContractorLinkLife = 14 * 24 * time.Hour

// ApprovalStatus is where an owner approval stands.
type ApprovalStatus string

const (
	ApprovalPending   ApprovalStatus = "pending"
	ApprovalApproved  ApprovalStatus = "approved"
	ApprovalDeclined  ApprovalStatus = "declined"
	ApprovalWithdrawn ApprovalStatus = "withdrawn"
)

// Approval is a manager's request for the owners' approval of work.
type Approval struct {
	ID              int64
	CompanyID       int64
	RequestID       int64
	EstimateMinor   int64
	Notes           string
	QuoteFileID     int64
	Status          ApprovalStatus
	DecidedByName   string // filled by reads
	DecisionComment string
	DecidedAt       time.Time
	CreatedAt       time.Time
}
