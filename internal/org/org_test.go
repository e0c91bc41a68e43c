package org_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/instance"
	"github.com/awsgraph/awsgraph/internal/org"
	"github.com/awsgraph/awsgraph/internal/sink/j1files"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

func TestMain(m *testing.M) { os.Exit(testbed.Main(m)) }

func options(m *testbed.Moto, mgmt string) org.Options {
	aws := m.Options(mgmt)
	return org.Options{
		Management:     instance.Config{RoleArn: testbed.RoleArn(mgmt), ExternalID: testbed.ExternalID},
		MemberRoleName: "audit/awsgraph-member",
		Regions:        []string{"us-east-1"},
		EndpointURL:    m.URL,
		AWS:            aws,
		PageSize:       2, // five accounts: three pages
	}
}

func eventAccounts(res *org.Result) []string {
	var ids []string
	for _, ev := range res.Events {
		ids = append(ids, ev.Config.AccountID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

func TestDiscoverEmitsActiveUnskippedMembersWithTheirSCPs(t *testing.T) {
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	opts := options(m, mgmt)
	opts.MemberExternalID = "member-ext-id"
	res, err := org.Discover(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != 5 {
		t.Fatalf("accounts %d, want 5 (three pages of two)", len(res.Accounts))
	}
	if got, want := eventAccounts(res), sorted(mgmt, s.Web, s.Data); !slices.Equal(got, want) {
		t.Fatalf("events for %v, want %v (not skip %s, not closed %s)", got, want, s.Skip, s.Closed)
	}
	skipped := map[string]string{}
	for _, a := range res.Accounts {
		skipped[a.ID] = a.Skipped
	}
	if !strings.Contains(skipped[s.Skip], "SKIP") || !strings.Contains(skipped[s.Closed], "SUSPENDED") {
		t.Fatalf("skip reasons %v", skipped)
	}
	for _, ev := range res.Events {
		c := ev.Config
		want := "arn:aws:iam::" + c.AccountID + ":role/audit/awsgraph-member"
		if c.RoleArn != want || ev.IntegrationInstanceID != want || c.ExternalID.Reveal() != "member-ext-id" || !slices.Equal(c.Regions, []string{"us-east-1"}) {
			t.Fatalf("event %+v, want role %s, the member external id and us-east-1", ev, want)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("event does not validate: %v", err)
		}
		checkSCPs(t, s, c)
	}
	if res.OrganizationID == "" || res.ManagementAccountID != mgmt || res.Root.ID != s.RootID || !res.Root.SCPsEnabled {
		t.Fatalf("organization %+v", res)
	}
	if len(res.Units) != 2 {
		t.Fatalf("units %+v, want Prod and Web", res.Units)
	}
}

// checkSCPs: web's path is root → Prod → Web → web, Prod carrying the deny;
// data's is root → data; the management account is not governed.
func checkSCPs(t *testing.T, s testbed.OrgFacts, c instance.Config) {
	t.Helper()
	scps := c.ServiceControlPolicies
	if scps == nil {
		t.Fatalf("%s: no SCPs in the event", c.AccountID)
	}
	var targets []string
	for _, l := range scps.Levels {
		targets = append(targets, l.Target)
	}
	switch c.AccountID {
	case s.Management:
		if scps.Status != instance.SCPNotGoverned || len(scps.Levels) != 0 {
			t.Fatalf("management account SCPs %+v, want notGoverned", scps)
		}
	case s.Web:
		if scps.Status != instance.SCPApplied || !slices.Equal(targets, []string{s.RootID, s.ProdOU, s.WebOU, s.Web}) {
			t.Fatalf("web SCP levels %v (%s), want root, Prod, Web, web", targets, scps.Status)
		}
		var prod []string
		for _, p := range scps.Levels[1].Policies {
			prod = append(prod, p.ID)
			if p.ID == s.DenySCP && p.Document != testbed.DenyAssumeSCP {
				t.Fatalf("deny document %q", p.Document)
			}
		}
		if !slices.Contains(prod, s.DenySCP) {
			t.Fatalf("Prod level %v lacks the deny SCP %s", prod, s.DenySCP)
		}
	case s.Data:
		if scps.Status != instance.SCPApplied || !slices.Equal(targets, []string{s.RootID, s.Data}) {
			t.Fatalf("data SCP levels %v, want root, data", targets)
		}
	}
}

func TestDiscoverExcludesAccountsAndDefaultsTheExternalID(t *testing.T) {
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	opts := options(m, mgmt)
	opts.Exclude = []string{s.Data}
	res, err := org.Discover(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eventAccounts(res), sorted(mgmt, s.Web); !slices.Equal(got, want) {
		t.Fatalf("events for %v, want %v", got, want)
	}
	for _, ev := range res.Events {
		if ev.Config.ExternalID.Reveal() != testbed.ExternalID {
			t.Fatal("member external id does not default to the management role's")
		}
	}
}

// Wire-level fake (moto answers every call): ListPoliciesForTarget denied
// for the Web OU. web's SCPs become unknown, never "no SCP"; data's are read.
func TestDiscoverWireFakeUnreadableSCPsAreUnknown(t *testing.T) {
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	fp := m.NewFaultProxy(t)
	fp.Add(testbed.ErrorFault("organizations", func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "organizations:ListPoliciesForTarget" && strings.Contains(string(body), s.WebOU)
	}, 400, "AccessDeniedException", "not authorized"))
	opts := options(m, mgmt)
	opts.EndpointURL = fp.URL
	opts.AWS.EndpointURL = fp.URL
	res, err := org.Discover(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		scps := ev.Config.ServiceControlPolicies
		switch ev.Config.AccountID {
		case s.Web:
			if scps.Status != instance.SCPUnknown || !strings.Contains(scps.Reason, "ListPoliciesForTarget") || len(scps.Levels) != 0 {
				t.Fatalf("web SCPs %+v, want unknown naming the call", scps)
			}
		case s.Data:
			if scps.Status != instance.SCPApplied {
				t.Fatalf("data SCPs %+v", scps)
			}
		}
	}
}

// Wire-level fake: the tags of one account cannot be read. Whether it is
// tagged SKIP is unknown, so it gets no event and the discovery fails,
// naming it, while the others' events are still returned.
func TestDiscoverWireFakeUnreadableTagsFailTheAccount(t *testing.T) {
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	fp := m.NewFaultProxy(t)
	fp.Add(testbed.ErrorFault("organizations", func(r *http.Request, body []byte) bool {
		return testbed.Operation(r, body) == "organizations:ListTagsForResource" && strings.Contains(string(body), s.Data)
	}, 400, "AccessDeniedException", "not authorized"))
	opts := options(m, mgmt)
	opts.EndpointURL, opts.AWS.EndpointURL = fp.URL, fp.URL
	res, err := org.Discover(context.Background(), opts)
	var ie *org.IncompleteError
	if !errors.As(err, &ie) || len(ie.Accounts) != 1 || !strings.Contains(ie.Accounts[0], s.Data) {
		t.Fatalf("error %v, want an IncompleteError naming %s", err, s.Data)
	}
	if got, want := eventAccounts(res), sorted(mgmt, s.Web); !slices.Equal(got, want) {
		t.Fatalf("events for %v, want %v", got, want)
	}
}

func TestOptionsValidateBeforeAnyCall(t *testing.T) {
	base := org.Options{Management: instance.Config{RoleArn: "arn:aws:iam::111111111111:role/mgmt", ExternalID: "ext-id-1"}, MemberRoleName: "member"}
	cases := []struct {
		name  string
		edit  func(*org.Options)
		field string
	}{
		{"bad management role", func(o *org.Options) { o.Management.RoleArn = "arn:aws:iam::1:role/x" }, "roleArn"},
		{"no member role", func(o *org.Options) { o.MemberRoleName = "" }, "member-role-name"},
		{"bad member role", func(o *org.Options) { o.MemberRoleName = "bad name" }, "member-role-name"},
		{"bad member external id", func(o *org.Options) { o.MemberExternalID = "x" }, "member-external-id"},
		{"bad exclude", func(o *org.Options) { o.Exclude = []string{"12345"} }, "exclude"},
		{"bad region", func(o *org.Options) { o.Regions = []string{"us-east-9"} }, "regions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			c.edit(&o)
			// No endpoint, no credentials: a call would fail differently.
			_, err := org.Discover(context.Background(), o)
			var ve *instance.ValidationError
			if !errors.As(err, &ve) || ve.Field != c.field {
				t.Fatalf("error %v, want a validation error on %s", err, c.field)
			}
		})
	}
}

func TestEncodeEventRoundTripsTheExternalID(t *testing.T) {
	cfg := instance.Config{IntegrationInstanceID: "i", RoleArn: "arn:aws:iam::111111111111:role/r", ExternalID: "s3cr3t-ext",
		AccountID: "111111111111", ServiceControlPolicies: &instance.SCPs{Status: instance.SCPApplied,
			Levels: []instance.SCPLevel{{Target: "r-abcd", Policies: []instance.SCPPolicy{{ID: "p-1", Document: `{"Statement":[]}`}}}}}}
	data, err := instance.EncodeEvent(instance.Event{IntegrationInstanceID: "i", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := instance.ParseEvent(data)
	if err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if ev.Config.ExternalID.Reveal() != "s3cr3t-ext" || ev.Config.ServiceControlPolicies.Levels[0].Policies[0].ID != "p-1" {
		t.Fatalf("round trip lost fields: %+v", ev.Config)
	}
}

// rel finds a relationship by type and end keys.
func hasRel(rels []graph.Relationship, typ, from, to string) bool {
	for _, r := range rels {
		if r.Type() == typ && r.FromKey() == from && r.ToKey() == to {
			return true
		}
	}
	return false
}

// The organization as a graph: the tree, management HAS the others, SCPs
// ASSIGNED where attached, each account mapped onto its collected
// aws_account; valid by JupiterOne's data model.
func TestOrganizationGraph(t *testing.T) {
	m := testbed.Server(t)
	mgmt := testbed.NewAccountID(t)
	s := testbed.SeedOrg(t, m, mgmt)
	res, err := org.Discover(context.Background(), options(m, mgmt))
	if err != nil {
		t.Fatal(err)
	}
	ents, rels := res.Graph()
	byType := map[string]map[string]graph.Entity{}
	for _, e := range ents {
		if byType[e.Type()] == nil {
			byType[e.Type()] = map[string]graph.Entity{}
		}
		byType[e.Type()][e.String("id")+e.String("accountId")] = e
	}
	if len(byType[org.AccountType]) != 5 || len(byType[org.UnitType]) != 2 || len(byType[org.RootType]) != 1 || len(byType[org.OrganizationType]) != 1 {
		t.Fatalf("entities by type: %d accounts, %d OUs, %d roots, %d organizations", len(byType[org.AccountType]), len(byType[org.UnitType]), len(byType[org.RootType]), len(byType[org.OrganizationType]))
	}
	acct := func(id string) string { return byType[org.AccountType][id].Key() }
	unit := func(id string) string { return byType[org.UnitType][id].Key() }
	root := byType[org.RootType][s.RootID].Key()
	checks := []struct{ typ, from, to string }{
		{"aws_organization_root_has_organizational_unit", root, unit(s.ProdOU)},
		{"aws_organizational_unit_has_unit", unit(s.ProdOU), unit(s.WebOU)},
		{"aws_organizational_unit_has_organizations_account", unit(s.WebOU), acct(s.Web)},
		{"aws_organization_root_has_organizations_account", root, acct(s.Data)},
		{"aws_organizations_account_has_account", acct(mgmt), acct(s.Skip)},
		{"aws_organizational_unit_assigned_organizations_policy", unit(s.ProdOU), byType[org.PolicyType][s.DenySCP].Key()},
	}
	for _, c := range checks {
		if !hasRel(rels, c.typ, c.from, c.to) {
			t.Errorf("no %s %s -> %s", c.typ, c.from, c.to)
		}
	}
	if e := byType[org.AccountType][s.Skip]; e["collected"] != false || e["tag.j1-integration"] != "SKIP" {
		t.Errorf("skipped account entity %v", e)
	}
	mapped := 0
	for _, r := range rels {
		if mp := r.Mapping(); mp != nil && mp.TargetEntity["_type"] == "aws_account" {
			mapped++
		}
	}
	if mapped != 5 {
		t.Errorf("%d accounts mapped onto aws_account, want 5", mapped)
	}
	dir := filepath.Join(t.TempDir(), "out")
	staged, err := j1files.New(dir).Stage(context.Background(), res.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := staged.Commit(); err != nil {
		t.Fatal(err)
	}
	j1check.Check(t, dir)
}
