package readers

import (
	"testing"
)

func TestXLSXIsDateFormat(t *testing.T) {
	cases := []struct {
		id   int
		code string
		want bool
	}{
		{14, "", true}, {15, "", true}, {17, "", true}, {22, "", true}, {27, "", true}, {36, "", true}, {50, "", true}, {58, "", true},
		{0, "", false}, {1, "", false}, {13, "", false}, {18, "", false}, {21, "", false}, {37, "", false}, {45, "", false},
		{46, "", false}, {47, "", false}, {49, "", false}, {59, "", false}, {164, "", false},
		{164, "yyyy-mm-dd", true},
		{164, "d/m/yyyy", true},
		{164, "m/d/yy h:mm", true},
		{164, "[$-409]mmmm d", true},
		{164, "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", true},
		{164, "yyyy;@", true},
		{164, "dd\\-mm\\-yyyy", true},
		{164, "[Red]d/m/yyyy", true},
		{164, "MM/DD/YYYY", true},
		{164, "mmm", true},
		{164, "mm", true},
		{164, "yyyy\"年\"m\"月\"d\"日\"", true},
		{164, "yyyy-mm-dd hh:mm:ss", true},
		{164, "dd/mm/yyyy hh:mm AM/PM", true},
		{164, "\"Date: \"0", false},
		{164, "[h]:mm:ss", false},
		{164, "[h]:mm", false},
		{164, "[mm]:ss", false},
		{164, "mm:ss.0", false},
		{164, "mm:ss", false},
		{164, "h:mm", false},
		{164, "hh:mm:ss", false},
		{164, "h:mm AM/PM", false},
		{164, "h\"h\"mm", false},
		{164, "General", false},
		{164, "general", false},
		{164, "0.00E+00", false},
		{164, "##0.0E+0", false},
		{164, "0", false},
		{164, "000000", false},
		{164, "#,##0", false},
		{164, "#,##0.00_);[Red](#,##0.00)", false},
		{164, "0 \"days\"", false},
		{164, "0\\d", false},
		{164, "_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)", false},
		{164, "[>=100]0;0.0", false},
		{164, "@", false},
		{164, ";;;", false},
		{164, "\"yyyy\"", false},
		{14, "General", false}, // a code given for a built-in id decides
		{0, "yyyy-mm-dd", true},
	}
	for _, tc := range cases {
		if got := isDateFormat(tc.id, tc.code); got != tc.want {
			t.Errorf("isDateFormat(%d, %q) = %v, want %v", tc.id, tc.code, got, tc.want)
		}
	}
}
