package console

import "testing"

func TestURLsByPartition(t *testing.T) {
	for _, c := range []struct{ partition, url, regional string }{
		{"aws", "https://console.aws.amazon.com/iam/home", "https://us-east-1.console.aws.amazon.com/iam/home"},
		{"aws-us-gov", "https://console.amazonaws-us-gov.com/iam/home", "https://us-east-1.console.amazonaws-us-gov.com/iam/home"},
		{"aws-cn", "https://console.amazonaws.cn/iam/home", "https://us-east-1.console.amazonaws.cn/iam/home"},
	} {
		if got := URL(c.partition, "/iam/home"); got != c.url {
			t.Errorf("URL(%s) = %s, want %s", c.partition, got, c.url)
		}
		if got := RegionalURL(c.partition, "us-east-1", "/iam/home"); got != c.regional {
			t.Errorf("RegionalURL(%s) = %s, want %s", c.partition, got, c.regional)
		}
	}
}
