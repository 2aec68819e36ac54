package hostile

// OriginCase is a repository that tries to send slipway's requests, or
// the repository's credentials, where they must not go: a local file, or
// another origin (scheme, host, port). The repository is served over
// HTTP on 127.0.0.1 with basic auth (user "u", the one-letter password
// "a"), or is a file:// folder.
//
// Placeholders in XMLBase, PackageBase, PackageLocation, Redirect and the
// Want fields:
// HOST is the repository's host:port; LOCAL a local folder holding the
// same metadata as the repository (so a fetch from it would verify and
// load); OTHER an HTTP server on localhost, another port, serving LOCAL
// and recording the credentials it receives; OTHERIP the same server
// named by its address, 127.0.0.1.
type OriginCase struct {
	Name string
	// File makes the repository a file:// folder.
	File bool
	// XMLBase is the primary record's xml:base in repomd.xml.
	XMLBase string
	// PackageBase is the xml:base of the package's location in
	// primary.xml.
	PackageBase string
	// PackageLocation is the package's location href (default
	// busybox.rpm).
	PackageLocation string
	// Redirect, when set, is where the server redirects repomd.xml.
	Redirect string
	// Want is the exact error of loading the repository; "" = it loads.
	Want string
	// WantPackage is the exact error of the package's download URL
	// (repo.Repository.PackageURL); "" = there is one.
	WantPackage string
	// OtherRequests says OTHER is asked (without credentials, always).
	OtherRequests bool
}

const otherOrigin = " (metadata and packages must stay on the repository's origin)"

// OriginCases are the repositories of the corpus that aim elsewhere.
var OriginCases = []OriginCase{
	{Name: "repomd.xml xml:base file:// in an http repository", XMLBase: "file://LOCAL/",
		Want: "repo h: repomd.xml primary record: xml:base file://LOCAL/ refused: file:// is another origin than http://HOST" + otherOrigin},
	{Name: "repomd.xml xml:base file://localhost in an http repository", XMLBase: "file://localhostLOCAL/",
		Want: "repo h: repomd.xml primary record: xml:base file://localhostLOCAL/ refused: file:// is another origin than http://HOST" + otherOrigin},
	{Name: "repomd.xml xml:base on localhost, another port", XMLBase: "OTHER/",
		Want: "repo h: repomd.xml primary record: xml:base OTHER/ refused: OTHER is another origin than http://HOST" + otherOrigin},
	{Name: "repomd.xml xml:base on the https twin", XMLBase: "https://HOST/",
		Want: "repo h: repomd.xml primary record: xml:base https://HOST/ refused: https://HOST is another origin than http://HOST" + otherOrigin},
	{Name: "repomd.xml xml:base on the repository's origin", XMLBase: "http://HOST/mirror/"},
	{Name: "file:// repository, xml:base on http", File: true, XMLBase: "OTHER/",
		Want: "repo h: repomd.xml primary record: xml:base OTHER/ refused: OTHER is another origin than file://" + otherOrigin},
	{Name: "file:// repository, xml:base in another folder", File: true, XMLBase: "file://LOCAL/"},
	{Name: "package xml:base file:// in an http repository", PackageBase: "file:///etc/",
		WantPackage: "repo h: package busybox-1-1.noarch: xml:base file:///etc/ refused: file:// is another origin than http://HOST" + otherOrigin},
	{Name: "package location file:// in an http repository", PackageLocation: "file:///etc/passwd",
		WantPackage: "repo h: package busybox-1-1.noarch: location file:///etc/passwd: file:// is another origin than http://HOST"},
	{Name: "package location on localhost, another port", PackageLocation: "OTHER/busybox.rpm",
		WantPackage: "repo h: package busybox-1-1.noarch: location OTHER/busybox.rpm: OTHER is another origin than http://HOST"},
	{Name: "repomd.xml redirected to file://", Redirect: "file:///etc/passwd",
		Want: "repo h: fetching repomd.xml: GET http://HOST/repodata/repomd.xml: redirect refused: file:///etc/passwd is not http or https"},
	{Name: "repomd.xml redirected to localhost, another port", Redirect: "OTHER/repodata/repomd.xml", OtherRequests: true},
	{Name: "repomd.xml redirected to 127.0.0.1, another port", Redirect: "OTHERIP/repodata/repomd.xml", OtherRequests: true},
}
