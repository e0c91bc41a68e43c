// Command awsgraph collects an AWS account into a JupiterOne-shaped graph.
package main

import (
	"os"
)

func main() {
	os.Exit(Execute(os.Args[1:], os.Stdout, os.Stderr))
}
