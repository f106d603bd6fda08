package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// The parts of a doc file that TestDocs runs (the convention is in docs_test.go).

// docBlock is one fenced code block.
type docBlock struct {
	line   int      // line of the opening fence, 1-based
	lang   string   // first word of the info string: console, sh, toml …
	file   string   // file=NAME in the info string: the block is that file's content
	setups []string // from a <!-- docs-test: setup=a,b --> line just before the fence
	body   []string // the lines between the fences
}

// docCmd is one `$ ` command of a console block and the output shown below it.
type docCmd struct {
	line      int    // line of the `$ `
	text      string // the command, continuation lines joined
	wantFirst int    // line of the first output line (the next line after the command)
	want      []string
}

// parseDoc splits a Markdown file into its fenced blocks.
func parseDoc(path string) ([]docBlock, []string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	lines := strings.Split(string(raw), "\n")
	var blocks []docBlock
	var setups []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if s, ok := strings.CutPrefix(strings.TrimSpace(l), "<!-- docs-test:"); ok {
			s = strings.TrimSpace(strings.TrimSuffix(s, "-->"))
			v, ok := strings.CutPrefix(s, "setup=")
			if !ok {
				return nil, nil, fmt.Errorf("%s:%d: want <!-- docs-test: setup=NAME[,NAME] -->", path, i+1)
			}
			setups = strings.Split(v, ",")
			continue
		}
		fence, ok := fenceOf(l)
		if !ok {
			if strings.TrimSpace(l) != "" {
				setups = nil // a directive applies to the block right below it
			}
			continue
		}
		b := docBlock{line: i + 1, setups: setups}
		setups = nil
		info := strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), fence))
		for j, f := range info {
			if j == 0 && !strings.Contains(f, "=") {
				b.lang = f
			} else if v, ok := strings.CutPrefix(f, "file="); ok {
				b.file = v
			}
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != fence; i++ {
			b.body = append(b.body, strings.TrimPrefix(lines[i], indent))
		}
		if i == len(lines) {
			return nil, nil, fmt.Errorf("%s:%d: the code block is not closed", path, b.line)
		}
		blocks = append(blocks, b)
	}
	return blocks, lines, nil
}

// fenceOf returns the fence (``` or more) that a line opens, indented or not.
func fenceOf(l string) (string, bool) {
	t := strings.TrimLeft(l, " ")
	n := len(t) - len(strings.TrimLeft(t, "`"))
	if n < 3 {
		return "", false
	}
	return t[:n], true
}

// commands splits a console block into its `$ ` commands and their shown output.
func (b docBlock) commands() []docCmd {
	var cmds []docCmd
	for i := 0; i < len(b.body); i++ {
		l := b.body[i]
		if !strings.HasPrefix(l, "$ ") {
			if len(cmds) > 0 {
				cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, l)
			}
			continue
		}
		c := docCmd{line: b.line + 1 + i, text: strings.TrimPrefix(l, "$ ")}
		for strings.HasSuffix(c.text, `\`) && i+1 < len(b.body) {
			i++
			c.text = strings.TrimSuffix(c.text, `\`) + " " + strings.TrimSpace(b.body[i])
		}
		c.wantFirst = b.line + 2 + i
		cmds = append(cmds, c)
	}
	return cmds
}

// shellCommands are the command lines of an sh block: comments and blank lines
// dropped, continuation lines joined.
func (b docBlock) shellCommands() []docCmd {
	var cmds []docCmd
	for i := 0; i < len(b.body); i++ {
		t := strings.TrimSpace(b.body[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		c := docCmd{line: b.line + 1 + i, text: t}
		for strings.HasSuffix(c.text, `\`) && i+1 < len(b.body) {
			i++
			c.text = strings.TrimSuffix(c.text, `\`) + " " + strings.TrimSpace(b.body[i])
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// shellWords splits a command line as sh would for the simple commands the docs show:
// quotes, backslashes, $? and a trailing # comment. quoted reports, per word, whether
// any of it was quoted (a quoted ">" is not a redirection). Pipes, lists, variables and
// substitutions are refused: TestDocs cannot emulate them.
func shellWords(s string, status int) (words []string, quoted []bool, err error) {
	var cur strings.Builder
	inWord, q := false, false
	flush := func() {
		if inWord {
			words, quoted = append(words, cur.String()), append(quoted, q)
		}
		cur.Reset()
		inWord, q = false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			flush()
			return words, quoted, nil
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, nil, fmt.Errorf("unclosed single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			inWord, q = true, true
			i += j + 1
		case c == '"':
			inWord, q = true, true
			for i++; i < len(s) && s[i] != '"'; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`, s[i+1]) >= 0:
					i++
					cur.WriteByte(s[i])
				case s[i] == '$' && strings.HasPrefix(s[i:], "$?"):
					cur.WriteString(fmt.Sprint(status))
					i++
				case s[i] == '$' || s[i] == '`':
					return nil, nil, fmt.Errorf("variables and substitutions are not emulated")
				default:
					cur.WriteByte(s[i])
				}
			}
			if i == len(s) {
				return nil, nil, fmt.Errorf("unclosed double quote")
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '$' && strings.HasPrefix(s[i:], "$?"):
			cur.WriteString(fmt.Sprint(status))
			inWord = true
			i++
		case strings.IndexByte("|;&$`(){}*?<", c) >= 0 && !(c == '&' && strings.HasSuffix(cur.String(), ">")):
			return nil, nil, fmt.Errorf("%q is not emulated", c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, quoted, nil
}

// inlineSpan matches a `purgeset …` code span in prose.
var inlineSpan = regexp.MustCompile("`(purgeset [^`]+)`")

// inlineCommands are the `purgeset …` code spans of the prose (outside code blocks)
// that are whole command lines: three words or more, and no placeholder (…, A|B, an
// upper-case word such as DIR or RUNID). The others name a command, not a call of it.
func inlineCommands(lines []string) (run, named []docCmd) {
	fence := ""
	for i, l := range lines {
		if f, ok := fenceOf(l); ok {
			switch {
			case fence == "":
				fence = f
			case strings.TrimSpace(l) == fence:
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		for _, m := range inlineSpan.FindAllStringSubmatch(l, -1) {
			c := docCmd{line: i + 1, text: m[1]}
			if placeholder(c.text) {
				named = append(named, c)
			} else {
				run = append(run, c)
			}
		}
	}
	return run, named
}

func placeholder(cmd string) bool {
	words := strings.Fields(cmd)
	if len(words) < 3 || strings.ContainsAny(cmd, "…|") {
		return true
	}
	for _, w := range words {
		if len(w) >= 3 && strings.ToUpper(w) == w && strings.ToLower(w) != w {
			return true
		}
	}
	return false
}
