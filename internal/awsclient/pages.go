package awsclient

import "context"

// Pager is what every AWS SDK paginator offers; Opt is its service's client
// Options type.
type Pager[O, Opt any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*Opt)) (O, error)
}

// ReadAll drains a paginator, collecting each page's items. A failed page
// fails the whole read: a partial list must not pass for the full one.
func ReadAll[O, Opt, T any](ctx context.Context, p Pager[O, Opt], items func(O) []T) ([]T, error) {
	var out []T
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}
