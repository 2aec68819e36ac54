package rpm

// Tag is an RPM header tag number (rpmtag.h).
type Tag int32

// Region and bookkeeping tags.
const (
	TagHeaderImage      Tag = 61
	TagHeaderSignatures Tag = 62
	TagHeaderImmutable  Tag = 63
	TagHeaderRegions    Tag = 64
	TagHeaderI18NTable  Tag = 100
)

// Signature header tags (rpmtag.h RPMSIGTAG_*).
const (
	SigTagSize            Tag = 1000
	SigTagLEMD5_1         Tag = 1001
	SigTagPGP             Tag = 1002
	SigTagLEMD5_2         Tag = 1003
	SigTagMD5             Tag = 1004
	SigTagGPG             Tag = 1005
	SigTagPGP5            Tag = 1006
	SigTagPayloadSize     Tag = 1007
	SigTagReservedSpace   Tag = 1008
	SigTagDSA             Tag = 267
	SigTagRSA             Tag = 268
	SigTagSHA1            Tag = 269
	SigTagLongSize        Tag = 270
	SigTagLongArchiveSize Tag = 271
	SigTagSHA256          Tag = 273
	SigTagFileSignatures  Tag = 274
)

// Main header tags.
const (
	TagName              Tag = 1000
	TagVersion           Tag = 1001
	TagRelease           Tag = 1002
	TagEpoch             Tag = 1003
	TagSummary           Tag = 1004
	TagDescription       Tag = 1005
	TagBuildTime         Tag = 1006
	TagBuildHost         Tag = 1007
	TagSize              Tag = 1009
	TagDistribution      Tag = 1010
	TagVendor            Tag = 1011
	TagLicense           Tag = 1014
	TagPackager          Tag = 1015
	TagGroup             Tag = 1016
	TagURL               Tag = 1020
	TagOS                Tag = 1021
	TagArch              Tag = 1022
	TagPreIn             Tag = 1023
	TagPostIn            Tag = 1024
	TagPreUn             Tag = 1025
	TagPostUn            Tag = 1026
	TagOldFilenames      Tag = 1027
	TagFileSizes         Tag = 1028
	TagFileStates        Tag = 1029
	TagFileModes         Tag = 1030
	TagFileRdevs         Tag = 1033
	TagFileMtimes        Tag = 1034
	TagFileDigests       Tag = 1035
	TagFileLinkTos       Tag = 1036
	TagFileFlags         Tag = 1037
	TagFileUsername      Tag = 1039
	TagFileGroupname     Tag = 1040
	TagSourceRPM         Tag = 1044
	TagFileVerifyFlags   Tag = 1045
	TagArchiveSize       Tag = 1046
	TagProvideName       Tag = 1047
	TagRequireFlags      Tag = 1048
	TagRequireName       Tag = 1049
	TagRequireVersion    Tag = 1050
	TagConflictFlags     Tag = 1053
	TagConflictName      Tag = 1054
	TagConflictVersion   Tag = 1055
	TagRPMVersion        Tag = 1064
	TagPreInProg         Tag = 1085
	TagPostInProg        Tag = 1086
	TagPreUnProg         Tag = 1087
	TagPostUnProg        Tag = 1088
	TagObsoleteName      Tag = 1090
	TagFileDevices       Tag = 1095
	TagFileInodes        Tag = 1096
	TagFileLangs         Tag = 1097
	TagPrefixes          Tag = 1098
	TagProvideFlags      Tag = 1112
	TagProvideVersion    Tag = 1113
	TagObsoleteFlags     Tag = 1114
	TagObsoleteVersion   Tag = 1115
	TagDirIndexes        Tag = 1116
	TagBasenames         Tag = 1117
	TagDirnames          Tag = 1118
	TagOptFlags          Tag = 1122
	TagPayloadFormat     Tag = 1124
	TagPayloadCompressor Tag = 1125
	TagPayloadFlags      Tag = 1126
	TagPlatform          Tag = 1132
	TagFileColors        Tag = 1140
	TagFileClass         Tag = 1141
	TagClassDict         Tag = 1142
	TagSourcePkgID       Tag = 1146
	TagLongFileSizes     Tag = 5008
	TagLongSize          Tag = 5009
	TagFileCaps          Tag = 5010
	TagFileDigestAlgo    Tag = 5011
	TagRecommendName     Tag = 5046
	TagRecommendVersion  Tag = 5047
	TagRecommendFlags    Tag = 5048
	TagSuggestName       Tag = 5049
	TagSuggestVersion    Tag = 5050
	TagSuggestFlags      Tag = 5051
	TagSupplementName    Tag = 5052
	TagSupplementVersion Tag = 5053
	TagSupplementFlags   Tag = 5054
	TagEnhanceName       Tag = 5055
	TagEnhanceVersion    Tag = 5056
	TagEnhanceFlags      Tag = 5057
	TagPayloadDigest     Tag = 5092
	TagPayloadDigestAlgo Tag = 5093
	TagPayloadDigestAlt  Tag = 5097
)

// Type is the type of a header entry's value (rpm's rpmTagType).
type Type uint32

// The header entry types.
const (
	TypeNull        Type = 0
	TypeChar        Type = 1
	TypeInt8        Type = 2
	TypeInt16       Type = 3
	TypeInt32       Type = 4
	TypeInt64       Type = 5
	TypeString      Type = 6
	TypeBin         Type = 7
	TypeStringArray Type = 8
	TypeI18NString  Type = 9
)

func (t Type) String() string {
	names := [...]string{"NULL", "CHAR", "INT8", "INT16", "INT32", "INT64", "STRING", "BIN", "STRING_ARRAY", "I18NSTRING"}
	if int(t) < len(names) {
		return names[t]
	}
	return "type " + itoa(uint64(t))
}

// size is the size in bytes of one element, 0 for variable-size types.
func (t Type) size() int {
	switch t {
	case TypeChar, TypeInt8, TypeBin:
		return 1
	case TypeInt16:
		return 2
	case TypeInt32:
		return 4
	case TypeInt64:
		return 8
	}
	return 0
}

func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
