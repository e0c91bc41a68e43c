// Command demoseed fills a moto server with the quick start's demo account.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/awsgraph/awsgraph/internal/testbed"
)

func main() {
	endpoint := flag.String("endpoint-url", "http://127.0.0.1:5000", "moto server URL")
	account := flag.String("account", "123456789012", "account id to seed")
	flag.Parse()
	f, err := testbed.SeedDemo(context.Background(), *endpoint, *account, [2]string{"us-east-1", "eu-west-1"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demoseed:", err)
		os.Exit(1)
	}
	fmt.Printf("seeded demo account %s: instances %s %s %s, buckets %v, function %s\n", f.Account, f.WebInstance, f.DBInstance, f.EUInstance, f.Buckets, f.Function)
}
