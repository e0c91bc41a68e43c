package ec2

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/awsgraph/awsgraph/internal/graph"
	"github.com/awsgraph/awsgraph/internal/schema"
	m "github.com/awsgraph/awsgraph/internal/service/ec2/ec2model"
)

// PrefixListAPI is the set of calls used to resolve the managed prefix lists
// that security-group rules reference.
type PrefixListAPI interface {
	DescribeManagedPrefixLists(ctx context.Context, in *ec2.DescribeManagedPrefixListsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error)
	GetManagedPrefixListEntries(ctx context.Context, in *ec2.GetManagedPrefixListEntriesInput, optFns ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error)
}

// PrefixList is a managed prefix list with its entries.
type PrefixList struct {
	ID      string
	Meta    *types.ManagedPrefixList // nil when DescribeManagedPrefixLists did not list it
	Entries []types.PrefixListEntry
}

// FetchPrefixLists resolves the given prefix lists (the ones rules reference):
// one DescribeManagedPrefixLists call for all of them, then one
// GetManagedPrefixListEntries call per list (EC2 has no bulk call for
// entries). A list whose entries cannot be read is left out and the error
// returned alongside the lists that were read. A list that
// DescribeManagedPrefixLists does not return, or returns as deleted, is left
// out without reading its entries.
func FetchPrefixLists(ctx context.Context, c PrefixListAPI, ids []string) ([]PrefixList, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	meta := map[string]*types.ManagedPrefixList{}
	var errs []error
	described := true
	p := ec2.NewDescribeManagedPrefixListsPaginator(c, &ec2.DescribeManagedPrefixListsInput{
		PrefixListIds: ids, MaxResults: aws.Int32(maxResultsPrefixList),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			errs = append(errs, err) // entries may still be readable
			described = false
			break
		}
		for i := range page.PrefixLists {
			pl := page.PrefixLists[i]
			meta[aws.ToString(pl.PrefixListId)] = &pl
		}
	}
	var out []PrefixList
	for _, id := range ids {
		pl := PrefixList{ID: id, Meta: meta[id]}
		if described && !Usable(pl.Meta) {
			// EC2 does not know the list (any more): its entries, if it still
			// answers with some, describe nothing. The rules that use it are
			// reported as unmapped by the analysis.
			continue
		}
		ep := ec2.NewGetManagedPrefixListEntriesPaginator(c, &ec2.GetManagedPrefixListEntriesInput{
			PrefixListId: aws.String(id), MaxResults: aws.Int32(maxResultsPrefixList),
		})
		var err error
		for ep.HasMorePages() {
			var page *ec2.GetManagedPrefixListEntriesOutput
			page, err = ep.NextPage(ctx)
			if err != nil {
				break
			}
			pl.Entries = append(pl.Entries, page.Entries...)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, pl)
	}
	return out, errors.Join(errs...)
}

// Usable reports whether a prefix list that DescribeManagedPrefixLists
// returned is in force: listed, and not deleted (or being deleted).
func Usable(pl *types.ManagedPrefixList) bool {
	if pl == nil {
		return false
	}
	switch pl.State {
	case types.PrefixListStateDeleteComplete, types.PrefixListStateDeleteInProgress:
		return false
	}
	return true
}

// NewPrefixListEntity converts a managed prefix list and its entries.
func NewPrefixListEntity(sc Scope, pl PrefixList) graph.Entity {
	var name, owner, key string
	if pl.Meta != nil {
		name = aws.ToString(pl.Meta.PrefixListName)
		owner = aws.ToString(pl.Meta.OwnerId)
		key = aws.ToString(pl.Meta.PrefixListArn)
	}
	if key == "" {
		key = sc.ARN(owner, "prefix-list", pl.ID)
	}
	if name == "" {
		name = pl.ID
	}
	e := schema.PrefixList.New(key, name)
	entries := make([]string, 0, len(pl.Entries))
	descs := make([]string, 0, len(pl.Entries))
	for _, en := range pl.Entries {
		entries = append(entries, aws.ToString(en.Cidr))
		descs = append(descs, aws.ToString(en.Description))
	}
	e.Set(m.PropPrefixListID, pl.ID).
		Set(m.PropPrefixListEntries, entries).
		Set("entryDescriptions", descs).
		Set("accountId", sc.AccountID).
		Set("region", sc.Region).
		Set("webLink", sc.VPCLink("PrefixListDetails:prefixListId="+pl.ID))
	if pl.Meta != nil {
		e.Set("prefixListName", pl.Meta.PrefixListName).
			Set("ownerId", pl.Meta.OwnerId).
			Set("addressFamily", pl.Meta.AddressFamily).
			Set("maxEntries", pl.Meta.MaxEntries).
			Set("state", graph.NilIfEmpty(string(pl.Meta.State))).
			Set("version", pl.Meta.Version)
		e.SetTags(tagMap(pl.Meta.Tags))
	}
	return e
}
