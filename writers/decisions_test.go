package writers

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"testing"
)

// decisions.csv must stay byte for byte what encoding/csv wrote before DecisionsWriter
// formatted its own lines (the golden files and every earlier run's hashes depend on it).
func TestAppendCSVFieldIsEncodingCSV(t *testing.T) {
	fields := []string{"", "a", `\.`, `\.x`, ".", " lead", "\tlead", "\vx", "\fx", "\u00a0nbsp", "\u0085nel",
		"\u2003em", "trail ", "a,b", `say "hi"`, `"`, `""`, "cr\rlf\n", "\r", "\n", "é", "\xff\xfe", "x\xa0",
		`duplicate of row 7`, `user group "Staff" is not selected`, "C:\\exports\\users, 2024.csv"}
	alphabet := []string{"a", "Z", "0", " ", "\t", ",", `"`, "\r", "\n", "\\", ".", "é", "\u00a0", "\xff"}
	rng := rand.New(rand.NewPCG(3, 5))
	for range 2000 {
		var b []byte
		for range rng.IntN(6) {
			b = append(b, alphabet[rng.IntN(len(alphabet))]...)
		}
		fields = append(fields, string(b))
	}
	for _, f := range fields {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		if err := w.Write([]string{f}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		got := append(appendCSVField(nil, f), '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("field %q: wrote %q, encoding/csv writes %q", f, got, want.Bytes())
		}
	}
}
