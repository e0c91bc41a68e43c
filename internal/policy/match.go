package policy

import (
	"strings"
	"unicode/utf8"
)

// tokKind is a pattern token kind.
type tokKind uint8

const (
	tokLit  tokKind = iota // one literal rune
	tokStar                // '*': any run of runes, possibly empty
	tokQ                   // '?': exactly one rune
)

type tok struct {
	kind tokKind
	r    rune
	// colon: for tokStar/tokQ, whether the wildcard may consume ':'.
	colon bool
}

// globTokens compiles a plain pattern in which every '*' and '?' is a
// wildcard that may match any rune.
func globTokens(p string) []tok {
	out := make([]tok, 0, len(p))
	for _, r := range p {
		switch r {
		case '*':
			out = append(out, tok{kind: tokStar, colon: true})
		case '?':
			out = append(out, tok{kind: tokQ, colon: true})
		default:
			out = append(out, tok{kind: tokLit, r: r})
		}
	}
	return out
}

// matchTokens reports whether toks matches all of s. foldCase compares
// literal runes case-insensitively (simple Unicode folding).
func matchTokens(toks []tok, s string, foldCase bool) bool {
	// Fast paths.
	if len(toks) == 1 && toks[0].kind == tokStar && toks[0].colon {
		return true
	}
	rs := []rune(s)
	n := len(rs)
	// dp[j]: tokens[:i] match rs[:j].
	dp := make([]bool, n+1)
	next := make([]bool, n+1)
	dp[0] = true
	for _, t := range toks {
		for j := range next {
			next[j] = false
		}
		switch t.kind {
		case tokStar:
			run := false
			for j := 0; j <= n; j++ {
				if dp[j] {
					run = true
				} else if run && j > 0 && !t.colon && rs[j-1] == ':' {
					run = false
				}
				next[j] = run
			}
		case tokQ:
			for j := 1; j <= n; j++ {
				next[j] = dp[j-1] && (t.colon || rs[j-1] != ':')
			}
		default:
			for j := 1; j <= n; j++ {
				if !dp[j-1] {
					continue
				}
				c := rs[j-1]
				next[j] = c == t.r || (foldCase && equalFoldRune(c, t.r))
			}
		}
		dp, next = next, dp
	}
	return dp[n]
}

func equalFoldRune(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	return strings.EqualFold(string(a), string(b))
}

// MatchAction reports whether an Action pattern (e.g. "s3:Get*",
// "iam:?ass*") matches an action name. Both the service prefix and the
// action name are compared case-insensitively; '*' matches any run of
// characters (including none) and '?' exactly one.
func MatchAction(pattern, action string) bool {
	return matchTokens(globTokens(pattern), action, true)
}

// MatchString is StringLike matching: case-sensitive glob with '*' and '?'.
func MatchString(pattern, value string) bool {
	return matchTokens(globTokens(pattern), value, false)
}

// arnify marks the wildcards of an ARN-shaped token list: in the first five
// colon-separated fields (arn, partition, service, region, account) a '?'
// never matches ':' and a '*' does so only when it is the last character of
// its field (AWS: "If the * wildcard is the last character of a resource
// ARN segment, it can expand to match beyond the colon boundaries") and
// expand is set, or when it ends the pattern. From the sixth field (the
// resource part) on, wildcards match anything, including '/' and ':'.
func arnify(toks []tok, expand bool) []tok {
	colons := 0
	for i := range toks {
		t := &toks[i]
		if colons >= 5 {
			if t.kind != tokLit {
				t.colon = true
			}
			continue
		}
		switch t.kind {
		case tokLit:
			if t.r == ':' {
				colons++
			}
		case tokQ:
			t.colon = false
		case tokStar:
			last := i == len(toks)-1
			beforeColon := i+1 < len(toks) && toks[i+1].kind == tokLit && toks[i+1].r == ':'
			t.colon = last || (expand && beforeColon)
		}
	}
	return toks
}

// MatchResource reports whether a Resource pattern matches a resource ARN,
// case-sensitively, with AWS's segment rules (see arnify). "*" matches
// everything. Policy variables are not expanded here; see Evaluate.
func MatchResource(pattern, resource string) bool {
	return matchTokens(arnify(globTokens(pattern), true), resource, false)
}

// MatchArn is ArnLike/ArnEquals matching: each colon-delimited field of
// the ARN is matched separately (wildcards stay within the first five
// fields), case-sensitively. A value that is not an ARN never matches.
func MatchArn(pattern, value string) bool {
	return matchArnTokens(arnify(globTokens(pattern), false), value)
}

func matchArnTokens(toks []tok, value string) bool {
	if strings.Count(value, ":") < 5 || !strings.HasPrefix(value, "arn:") {
		return false
	}
	return matchTokens(toks, value, false)
}
