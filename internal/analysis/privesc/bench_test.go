package privesc

import (
	"fmt"
	"testing"

	"github.com/awsgraph/awsgraph/internal/graph"
)

// syntheticAccount: nUsers users (in 50 groups), nRoles roles under 20 team
// paths, nPolicies customer managed policies. Policies 0-9 are admin (*);
// of every hundred others, one allows iam:CreateAccessKey on the users of
// team 0 or 10 (where the administrators are), one iam:PassRole on the roles
// of team 0 or 10 + lambda:CreateFunction/InvokeFunction, one
// iam:AttachRolePolicy on one role, one iam:UpdateAssumeRolePolicy on one
// role + sts:AssumeRole; one in ten sts:AssumeRole on a team's roles, the
// rest S3 read. Users get two policies through their group and one of
// their own; roles get one (every 50th an admin one). Role trusts, as in
// the trust benchmark: 60% Lambda, 25% naming a user, 10% the account, 5%
// another account.
func syntheticAccount(tb testing.TB, nUsers, nRoles, nPolicies int) *fx {
	f := newFx(tb)
	team := func(i int) string { return fmt.Sprintf("team-%d", i%20) }
	pols := make([]graph.Entity, nPolicies)
	for i := range pols {
		var d string
		switch m := i % 100; {
		case i < 10:
			d = adminDoc
		case m == 66:
			d = doc(allow("iam:CreateAccessKey", arn("user", team(i/100%2*10)+"/*")))
		case m == 77:
			d = doc(allow("iam:PassRole", arn("role", team(i/100%2*10)+"/*")), allow("lambda:CreateFunction", "*"), allow("lambda:InvokeFunction", "*"))
		case m == 88:
			d = doc(allow("iam:AttachRolePolicy", arn("role", fmt.Sprintf("%s/role%05d", team(i), i%nRoles))))
		case m == 99:
			r := arn("role", fmt.Sprintf("%s/role%05d", team(i), (i*7)%nRoles))
			d = doc(allow("iam:UpdateAssumeRolePolicy", r), allow("sts:AssumeRole", r))
		case m%10 == 1:
			d = doc(allow("sts:AssumeRole", arn("role", team(i)+"/*")))
		default:
			d = doc(allow("s3:Get*", "*"), allow("s3:List*", "*"))
		}
		pols[i] = f.managed(fmt.Sprintf("arn:aws:iam::%s:policy/p%04d", acct, i), d)
	}
	pick := func(i int) graph.Entity { return pols[10+i%(nPolicies-10)] }
	users := make([]graph.Entity, nUsers)
	for i := range users {
		users[i] = f.user(fmt.Sprintf("%s/user%05d", team(i), i), nil)
		f.rel(graph.Direct(users[i], "ASSIGNED", pick(i*13), nil))
	}
	for g := 0; g < 50; g++ {
		var members []graph.Entity
		for i := g; i < nUsers; i += 50 {
			members = append(members, users[i])
		}
		ge := f.group(fmt.Sprintf("group%02d", g), nil, members...)
		if g == 0 {
			f.rel(graph.Direct(ge, "ASSIGNED", pols[0], nil))
		} else {
			f.rel(graph.Direct(ge, "ASSIGNED", pick(g*17), nil))
			f.rel(graph.Direct(ge, "ASSIGNED", pick(g*29+3), nil))
		}
	}
	for i := 0; i < nRoles; i++ {
		var tr string
		switch m := i % 20; {
		case m < 12:
			tr = trustService("lambda.amazonaws.com")
		case m < 17:
			tr = trustAWS(arn("user", fmt.Sprintf("%s/user%05d", team(i*3), (i*3)%nUsers)))
		case m < 19:
			tr = trustAWS("arn:aws:iam::" + acct + ":root")
		default:
			tr = nobody
		}
		r := f.role(fmt.Sprintf("%s/role%05d", team(i), i), tr, nil)
		p := pick(i * 7)
		if i%50 == 0 {
			p = pols[i%10]
		}
		f.rel(graph.Direct(r, "ASSIGNED", p, nil))
	}
	return f
}

func BenchmarkPrivesc5000x5000x2000(b *testing.B) {
	f := syntheticAccount(b, 5000, 5000, 2000)
	f.analyze(Options{}) // adds the trust analysis's CAN_ASSUME edges
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = Analyze(f.j, Options{})
	}
	b.ReportMetric(float64(len(res.Edges)), "edges")
	b.ReportMetric(float64(res.Counts["administrators"]), "admins")
	b.ReportMetric(float64(res.Counts["principalsThatCanBecomeAdmin"]), "canBecomeAdmin")
}

// TestSyntheticAccountSmall: the benchmark's account, small, has every kind
// of answer and only real paths.
func TestSyntheticAccountSmall(t *testing.T) {
	f := syntheticAccount(t, 400, 400, 200)
	res := f.analyze(Options{})
	if res.Counts["administrators"] == 0 || res.Counts["principalsThatCanBecomeAdmin"] == 0 || len(res.Edges) == 0 {
		t.Fatalf("counts %v, %d edges", res.Counts, len(res.Edges))
	}
	checkPaths(t, res)
}
