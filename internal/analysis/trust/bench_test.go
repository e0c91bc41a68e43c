package trust

import (
	"fmt"
	"testing"
)

// syntheticAccount builds an account of nUsers users in 50 groups and
// nRoles roles (which are principals too):
//   - groups 0-4 (10% of users): AdministratorAccess-like "*" on "*";
//   - groups 5-14 (20%): sts:AssumeRole on role/team-<n>/*;
//   - the others: S3 read only. Every 10th user also has an inline policy
//     allowing sts:AssumeRole on one named role.
//   - roles: 60% service trust (lambda, ec2, ecs-tasks; a third with an
//     aws:SourceAccount condition), 25% naming one or two users, 10% the
//     account root, 5% another account's root with an external id. 5% of
//     the roles carry the admin policy, 20% the team assume policy.
func syntheticAccount(tb testing.TB, nUsers, nRoles int) *fixture {
	f := newFixture(tb, acct)
	admin := f.managed("Admin", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	s3ro := f.managed("S3ReadOnly", doc(`{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}`))
	var teams [20]graphEntity
	for i := range teams {
		teams[i] = f.managed(fmt.Sprintf("Team%d", i), allowAssume(fmt.Sprintf("arn:aws:iam::%s:role/team-%d/*", acct, i)))
	}
	const nGroups = 50
	users := make([]graphEntity, nUsers)
	for i := range users {
		users[i] = f.user(fmt.Sprintf("user%05d", i), tags("team", fmt.Sprint(i%20)))
		if i%10 == 3 {
			f.inline(users[i], "assume-one", allowAssume(fmt.Sprintf("arn:aws:iam::%s:role/team-%d/role%05d", acct, i%20, (i*7)%nRoles)))
		}
	}
	for g := 0; g < nGroups; g++ {
		var members []graphEntity
		for i := g; i < nUsers; i += nGroups {
			members = append(members, users[i])
		}
		ge := f.group(fmt.Sprintf("group%02d", g), members...)
		switch {
		case g < 5:
			f.attach(ge, admin)
		case g < 15:
			f.attach(ge, teams[g-5])
		default:
			f.attach(ge, s3ro)
		}
	}
	services := []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}
	for i := 0; i < nRoles; i++ {
		var trust string
		switch m := i % 20; {
		case m < 12: // 60% service
			svc := services[i%3]
			if i%3 == 0 {
				trust = trustDoc(allowPrincipal(`{"Service":"`+svc+`"}`, `"Condition":{"StringEquals":{"aws:SourceAccount":"`+acct+`"}}`))
			} else {
				trust = trustDoc(allowPrincipal(`{"Service":"` + svc + `"}`))
			}
		case m < 17: // 25% named principals
			u1 := fmt.Sprintf("arn:aws:iam::%s:user/user%05d", acct, (i*13)%nUsers)
			u2 := fmt.Sprintf("arn:aws:iam::%s:user/user%05d", acct, (i*31)%nUsers)
			trust = trustDoc(allowPrincipal(`{"AWS":["` + u1 + `","` + u2 + `"]}`))
		case m < 19: // 10% account root
			trust = trustDoc(allowPrincipal(`{"AWS":"` + rootArn + `"}`))
		default: // 5% cross-account with external id
			trust = trustDoc(allowPrincipal(`{"AWS":"arn:aws:iam::999988887777:root"}`, `"Condition":{"StringEquals":{"sts:ExternalId":"x"}}`))
		}
		r := f.roleAt(fmt.Sprintf("team-%d", i%20), fmt.Sprintf("role%05d", i), trust)
		switch {
		case i%20 == 7:
			f.attach(r, admin)
		case i%5 == 1:
			f.attach(r, teams[i%20])
		default:
			f.attach(r, s3ro)
		}
	}
	return f
}

func BenchmarkTrust5000x5000(b *testing.B) {
	f := syntheticAccount(b, 5000, 5000)
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		res = Analyze(f.j)
	}
	b.ReportMetric(float64(len(res.Relationships)), "edges")
	b.ReportMetric(float64(res.Counts["pairsEvaluated"]), "pairs")
}

func TestSyntheticAccountSmall(t *testing.T) {
	f := syntheticAccount(t, 300, 300) // over the parallel threshold
	res := Analyze(f.j)
	if len(res.Relationships) == 0 {
		t.Fatal("no edges")
	}
	for _, e := range res.Entities {
		if !f.j.HasKey(e.Key()) {
			if err := f.j.AddEntity(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, r := range res.Relationships {
		if err := f.j.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
}
