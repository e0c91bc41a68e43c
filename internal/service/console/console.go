// Package console builds links into the AWS Management Console, whose host
// differs by partition (commercial, GovCloud, China).
package console

// Host is the console's host name in a partition.
func Host(partition string) string {
	switch partition {
	case "aws-us-gov":
		return "console.amazonaws-us-gov.com"
	case "aws-cn":
		return "console.amazonaws.cn"
	}
	return "console.aws.amazon.com"
}

// URL is a console page: path starts with "/" ("/iam/home#/users/alice").
func URL(partition, path string) string { return "https://" + Host(partition) + path }

// RegionalURL is a page on a region's console host ("us-east-1.console..."),
// as the EC2 and VPC consoles use.
func RegionalURL(partition, region, path string) string {
	return "https://" + region + "." + Host(partition) + path
}
