package ec2

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// fakePrefixLists answers the two prefix-list calls from memory.
type fakePrefixLists struct {
	lists       []types.ManagedPrefixList
	entries     map[string][]string
	describeErr error
	gets        []string
}

func (f *fakePrefixLists) DescribeManagedPrefixLists(_ context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	var out []types.ManagedPrefixList
	for _, pl := range f.lists {
		for _, id := range in.PrefixListIds {
			if id == aws.ToString(pl.PrefixListId) {
				out = append(out, pl)
			}
		}
	}
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: out}, nil
}

func (f *fakePrefixLists) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	id := aws.ToString(in.PrefixListId)
	f.gets = append(f.gets, id)
	var es []types.PrefixListEntry
	for _, c := range f.entries[id] {
		es = append(es, types.PrefixListEntry{Cidr: aws.String(c)})
	}
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: es}, nil
}

// A list that EC2 no longer lists, or lists as deleted, is not resolved even
// if its entries are still answered (moto answers entries of deleted lists,
// which made rules of a deleted list look like live edges): the analysis then
// counts those rules as unmapped instead of inventing peers.
func TestFetchPrefixListsSkipsDeletedAndUnknownLists(t *testing.T) {
	pl := func(id string, st types.PrefixListState) types.ManagedPrefixList {
		return types.ManagedPrefixList{PrefixListId: aws.String(id), PrefixListName: aws.String(id), State: st}
	}
	f := &fakePrefixLists{
		lists: []types.ManagedPrefixList{pl("pl-ok", types.PrefixListStateCreateComplete), pl("pl-mod", types.PrefixListStateModifyComplete),
			pl("pl-gone", types.PrefixListStateDeleteComplete), pl("pl-going", types.PrefixListStateDeleteInProgress)},
		entries: map[string][]string{"pl-ok": {"203.0.113.0/24"}, "pl-mod": {"198.51.100.0/24"}, "pl-gone": {"100.64.0.0/10"},
			"pl-going": {"192.0.2.0/24"}, "pl-missing": {"10.0.0.0/8"}},
	}
	got, err := FetchPrefixLists(context.Background(), f, []string{"pl-going", "pl-gone", "pl-missing", "pl-mod", "pl-ok"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	sort.Strings(f.gets)
	if want := []string{"pl-mod", "pl-ok"}; !reflect.DeepEqual(ids, want) || !reflect.DeepEqual(f.gets, want) {
		t.Errorf("resolved %v, entries read for %v; want %v for both", ids, f.gets, want)
	}

	// When DescribeManagedPrefixLists itself fails, the entries are still read.
	f = &fakePrefixLists{describeErr: errors.New("boom"), entries: map[string][]string{"pl-ok": {"203.0.113.0/24"}}}
	got, err = FetchPrefixLists(context.Background(), f, []string{"pl-ok"})
	if err == nil || len(got) != 1 || len(got[0].Entries) != 1 {
		t.Errorf("describe failure: %v %+v", err, got)
	}
}
