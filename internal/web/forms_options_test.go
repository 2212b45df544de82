package web

import "testing"

func TestOptionsHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field Field
		want  string
	}{
		{"none", Field{}, ""},
		{"the value is selected", Field{Value: "2", Options: []Option{{"", "Any"}, {"1", "Harbour House"}, {"2", "Quay Lofts"}}},
			`<option value="">Any</option><option value="1">Harbour House</option><option value="2" selected>Quay Lofts</option>`},
		{"nothing typed selects the empty choice", Field{Options: []Option{{"", "Any"}, {"1", "One"}}},
			`<option value="" selected>Any</option><option value="1">One</option>`},
		{"names are escaped", Field{Options: []Option{{`a"b`, `<script>alert('x')</script> & co`}}},
			`<option value="a&#34;b">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</option>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.field.OptionsHTML()); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
