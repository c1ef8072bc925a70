export const id = 645;
export const ids = [645];
export const modules = {

/***/ 1645:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

const { awsEndpointFunctions, emitWarningIfUnsupportedVersion: emitWarningIfUnsupportedVersion$1, createDefaultUserAgentProvider, NODE_APP_ID_CONFIG_OPTIONS, getAwsRegionExtensionConfiguration, resolveAwsRegionExtensionConfiguration, resolveUserAgentConfig, resolveHostHeaderConfig, getUserAgentPlugin, getHostHeaderPlugin, getLoggerPlugin, getRecursionDetectionPlugin } = __webpack_require__(2771);
const { getHttpAuthSchemeEndpointRuleSetPlugin, DefaultIdentityProviderConfig, getHttpSigningPlugin, createPaginator } = __webpack_require__(402);
const { normalizeProvider, getSmithyContext, ServiceException, NoOpLogger, emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, getDefaultExtensionConfiguration, resolveDefaultRuntimeConfig, Client, makeBuilder, createAggregatedClient } = __webpack_require__(2658);
const { Command: $Command } = __webpack_require__(2658);
exports.$Command = $Command;
exports.__Client = Client;
const { resolveDefaultsModeConfig, loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS, resolveRegionConfig } = __webpack_require__(7291);
const { BinaryDecisionDiagram, EndpointCache, decideEndpoint, customEndpointFunctions, resolveEndpointConfig, getEndpointPlugin } = __webpack_require__(2085);
const { parseUrl, getHttpHandlerExtensionConfiguration, resolveHttpHandlerRuntimeConfig, getContentLengthPlugin } = __webpack_require__(3422);
const { DEFAULT_RETRY_MODE, NODE_RETRY_MODE_CONFIG_OPTIONS, NODE_MAX_ATTEMPT_CONFIG_OPTIONS, resolveRetryConfig, getRetryPlugin } = __webpack_require__(3609);
const { TypeRegistry, getSchemaSerdePlugin } = __webpack_require__(6890);
const { resolveAwsSdkSigV4Config, AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } = __webpack_require__(7523);
const { defaultProvider } = __webpack_require__(5861);
const { toUtf8, fromUtf8, toBase64, fromBase64, calculateBodyLength } = __webpack_require__(2430);
const { streamCollector, NodeHttpHandler } = __webpack_require__(1279);
const { AwsRestJsonProtocol } = __webpack_require__(7288);
const { Sha256 } = __webpack_require__(9542);

const defaultAccessAnalyzerHttpAuthSchemeParametersProvider = async (config, context, input) => {
    return {
        operation: getSmithyContext(context).operation,
        region: await normalizeProvider(config.region)() || (() => {
            throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
        })(),
    };
};
function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "access-analyzer",
            region: authParameters.region,
        },
        propertiesExtractor: (config, context) => ({
            signingProperties: {
                config,
                context,
            },
        }),
    };
}
const defaultAccessAnalyzerHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};
const resolveHttpAuthSchemeConfig = (config) => {
    const config_0 = resolveAwsSdkSigV4Config(config);
    return Object.assign(config_0, {
        authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
    });
};

const resolveClientEndpointParameters = (options) => {
    return Object.assign(options, {
        useDualstackEndpoint: options.useDualstackEndpoint ?? false,
        useFipsEndpoint: options.useFipsEndpoint ?? false,
        defaultSigningName: "access-analyzer",
    });
};
const commonParams = {
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
};

var version = "3.1079.0";
var packageInfo = {
	version: version};

const k = "ref";
const a = -1, b = true, c = "isSet", d = "PartitionResult", e = "booleanEquals", f = "getAttr", g = { [k]: "Endpoint" }, h = { [k]: d }, i = {}, j = [{ [k]: "Region" }];
const _data = {
    conditions: [
        [c, [g]],
        [c, j],
        ["aws.partition", j, d],
        [e, [{ [k]: "UseFIPS" }, b]],
        [e, [{ [k]: "UseDualStack" }, b]],
        [e, [{ fn: f, argv: [h, "supportsDualStack"] }, b]],
        [e, [{ fn: f, argv: [h, "supportsFIPS"] }, b]],
        ["stringEquals", [{ fn: f, argv: [h, "name"] }, "aws-us-gov"]]
    ],
    results: [
        [a],
        [a, "Invalid Configuration: FIPS and custom endpoint are not supported"],
        [a, "Invalid Configuration: Dualstack and custom endpoint are not supported"],
        [g, i],
        ["https://access-analyzer-fips.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "FIPS and DualStack are enabled, but this partition does not support one or both"],
        ["https://access-analyzer.{Region}.amazonaws.com", i],
        ["https://access-analyzer-fips.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "FIPS is enabled but this partition does not support FIPS"],
        ["https://access-analyzer.{Region}.{PartitionResult#dualStackDnsSuffix}", i],
        [a, "DualStack is enabled but this partition does not support DualStack"],
        ["https://access-analyzer.{Region}.{PartitionResult#dnsSuffix}", i],
        [a, "Invalid Configuration: Missing Region"]
    ]
};
const root = 2;
const r = 100_000_000;
const nodes = new Int32Array([
    -1, 1, -1,
    0, 13, 3,
    1, 4, r + 12,
    2, 5, r + 12,
    3, 8, 6,
    4, 7, r + 11,
    5, r + 9, r + 10,
    4, 11, 9,
    6, 10, r + 8,
    7, r + 6, r + 7,
    5, 12, r + 5,
    6, r + 4, r + 5,
    3, r + 1, 14,
    4, r + 2, r + 3,
]);
const bdd = BinaryDecisionDiagram.from(nodes, root, _data.conditions, _data.results);

const cache = new EndpointCache({
    size: 50,
    params: ["Endpoint", "Region", "UseDualStack", "UseFIPS"],
});
const defaultEndpointResolver = (endpointParams, context = {}) => {
    return cache.get(endpointParams, () => decideEndpoint(bdd, {
        endpointParams: endpointParams,
        logger: context.logger,
    }));
};
customEndpointFunctions.aws = awsEndpointFunctions;

class AccessAnalyzerServiceException extends ServiceException {
    constructor(options) {
        super(options);
        Object.setPrototypeOf(this, AccessAnalyzerServiceException.prototype);
    }
}

class AccessDeniedException extends AccessAnalyzerServiceException {
    name = "AccessDeniedException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "AccessDeniedException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, AccessDeniedException.prototype);
    }
}
class ConflictException extends AccessAnalyzerServiceException {
    name = "ConflictException";
    $fault = "client";
    resourceId;
    resourceType;
    constructor(opts) {
        super({
            name: "ConflictException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ConflictException.prototype);
        this.resourceId = opts.resourceId;
        this.resourceType = opts.resourceType;
    }
}
class InternalServerException extends AccessAnalyzerServiceException {
    name = "InternalServerException";
    $fault = "server";
    $retryable = {};
    retryAfterSeconds;
    constructor(opts) {
        super({
            name: "InternalServerException",
            $fault: "server",
            ...opts,
        });
        Object.setPrototypeOf(this, InternalServerException.prototype);
        this.retryAfterSeconds = opts.retryAfterSeconds;
    }
}
class ResourceNotFoundException extends AccessAnalyzerServiceException {
    name = "ResourceNotFoundException";
    $fault = "client";
    resourceId;
    resourceType;
    constructor(opts) {
        super({
            name: "ResourceNotFoundException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
        this.resourceId = opts.resourceId;
        this.resourceType = opts.resourceType;
    }
}
class ServiceQuotaExceededException extends AccessAnalyzerServiceException {
    name = "ServiceQuotaExceededException";
    $fault = "client";
    resourceId;
    resourceType;
    constructor(opts) {
        super({
            name: "ServiceQuotaExceededException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ServiceQuotaExceededException.prototype);
        this.resourceId = opts.resourceId;
        this.resourceType = opts.resourceType;
    }
}
class ThrottlingException extends AccessAnalyzerServiceException {
    name = "ThrottlingException";
    $fault = "client";
    $retryable = {
        throttling: true,
    };
    retryAfterSeconds;
    constructor(opts) {
        super({
            name: "ThrottlingException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ThrottlingException.prototype);
        this.retryAfterSeconds = opts.retryAfterSeconds;
    }
}
class ValidationException extends AccessAnalyzerServiceException {
    name = "ValidationException";
    $fault = "client";
    reason;
    fieldList;
    constructor(opts) {
        super({
            name: "ValidationException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, ValidationException.prototype);
        this.reason = opts.reason;
        this.fieldList = opts.fieldList;
    }
}
class InvalidParameterException extends AccessAnalyzerServiceException {
    name = "InvalidParameterException";
    $fault = "client";
    constructor(opts) {
        super({
            name: "InvalidParameterException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, InvalidParameterException.prototype);
    }
}
class UnprocessableEntityException extends AccessAnalyzerServiceException {
    name = "UnprocessableEntityException";
    $fault = "client";
    $retryable = {};
    constructor(opts) {
        super({
            name: "UnprocessableEntityException",
            $fault: "client",
            ...opts,
        });
        Object.setPrototypeOf(this, UnprocessableEntityException.prototype);
    }
}

const _A = "Access";
const _AA = "AccountAggregations";
const _AAR = "ApplyArchiveRule";
const _AARR = "ApplyArchiveRuleRequest";
const _AC = "AnalyzerConfiguration";
const _ACPD = "AccessCheckPolicyDocument";
const _ADE = "AccessDeniedException";
const _AG = "AclGrantee";
const _AL = "AccessList";
const _ALn = "AnalyzersList";
const _AP = "AccessPreview";
const _APF = "AccessPreviewFinding";
const _APFL = "AccessPreviewFindingsList";
const _APL = "AccessPreviewsList";
const _APS = "AccessPreviewSummary";
const _APSR = "AccessPreviewStatusReason";
const _AR = "AnalysisRule";
const _ARC = "AnalysisRuleCriteria";
const _ARCL = "AnalysisRuleCriteriaList";
const _ARL = "AnalyzedResourcesList";
const _ARLr = "ArchiveRulesList";
const _ARS = "AnalyzedResourceSummary";
const _ARSr = "ArchiveRuleSummary";
const _ARn = "AnalyzedResource";
const _AS = "AnalyzerSummary";
const _C = "Criterion";
const _CA = "CreateAnalyzer";
const _CANG = "CheckAccessNotGranted";
const _CANGR = "CheckAccessNotGrantedRequest";
const _CANGRh = "CheckAccessNotGrantedResponse";
const _CAP = "CreateAccessPreview";
const _CAPR = "CreateAccessPreviewRequest";
const _CAPRr = "CreateAccessPreviewResponse";
const _CAR = "CreateAnalyzerRequest";
const _CARR = "CreateArchiveRuleRequest";
const _CARr = "CreateAnalyzerResponse";
const _CARre = "CreateArchiveRule";
const _CE = "ConflictException";
const _CM = "ConfigurationsMap";
const _CNNA = "CheckNoNewAccess";
const _CNNAR = "CheckNoNewAccessRequest";
const _CNNARh = "CheckNoNewAccessResponse";
const _CNPA = "CheckNoPublicAccess";
const _CNPAR = "CheckNoPublicAccessRequest";
const _CNPARh = "CheckNoPublicAccessResponse";
const _CPG = "CancelPolicyGeneration";
const _CPGR = "CancelPolicyGenerationRequest";
const _CPGRa = "CancelPolicyGenerationResponse";
const _CSLA = "CreateServiceLinkedAnalyzer";
const _CSLAR = "CreateServiceLinkedAnalyzerRequest";
const _CSLARr = "CreateServiceLinkedAnalyzerResponse";
const _CTD = "CloudTrailDetails";
const _CTP = "CloudTrailProperties";
const _Co = "Configuration";
const _DA = "DeleteAnalyzer";
const _DAR = "DeleteAnalyzerRequest";
const _DARR = "DeleteArchiveRuleRequest";
const _DARe = "DeleteArchiveRule";
const _DSC = "DynamodbStreamConfiguration";
const _DSLA = "DeleteServiceLinkedAnalyzer";
const _DSLAR = "DeleteServiceLinkedAnalyzerRequest";
const _DTC = "DynamodbTableConfiguration";
const _EAD = "ExternalAccessDetails";
const _EAFS = "ExternalAccessFindingsStatistics";
const _EFSC = "EfsFileSystemConfiguration";
const _ERC = "EcrRepositoryConfiguration";
const _ESC = "EbsSnapshotConfiguration";
const _F = "Finding";
const _FAAD = "FindingAggregationAccountDetails";
const _FCM = "FilterCriteriaMap";
const _FD = "FindingDetails";
const _FDL = "FindingDetailsList";
const _FL = "FindingsList";
const _FLV = "FindingsListV2";
const _FS = "FindingSource";
const _FSD = "FindingSourceDetail";
const _FSL = "FindingSourceList";
const _FSLi = "FindingsStatisticsList";
const _FSV = "FindingSummaryV2";
const _FSi = "FindingSummary";
const _FSin = "FindingsStatistics";
const _GA = "GetAnalyzer";
const _GAP = "GetAccessPreview";
const _GAPR = "GetAccessPreviewRequest";
const _GAPRe = "GetAccessPreviewResponse";
const _GAR = "GetAnalyzerRequest";
const _GARR = "GetAnalyzedResourceRequest";
const _GARRe = "GetAnalyzedResourceResponse";
const _GARRet = "GetArchiveRuleRequest";
const _GARRetr = "GetArchiveRuleResponse";
const _GARe = "GetAnalyzerResponse";
const _GARet = "GetAnalyzedResource";
const _GARetr = "GetArchiveRule";
const _GF = "GetFinding";
const _GFR = "GetFindingRequest";
const _GFRR = "GenerateFindingRecommendationRequest";
const _GFRRe = "GetFindingRecommendationRequest";
const _GFRRet = "GetFindingRecommendationResponse";
const _GFRe = "GetFindingResponse";
const _GFRen = "GenerateFindingRecommendation";
const _GFRet = "GetFindingRecommendation";
const _GFS = "GetFindingsStatistics";
const _GFSR = "GetFindingsStatisticsRequest";
const _GFSRe = "GetFindingsStatisticsResponse";
const _GFV = "GetFindingV2";
const _GFVR = "GetFindingV2Request";
const _GFVRe = "GetFindingV2Response";
const _GGP = "GetGeneratedPolicy";
const _GGPR = "GetGeneratedPolicyRequest";
const _GGPRe = "GetGeneratedPolicyResponse";
const _GP = "GeneratedPolicy";
const _GPL = "GeneratedPolicyList";
const _GPP = "GeneratedPolicyProperties";
const _GPR = "GeneratedPolicyResult";
const _IAAR = "InternalAccessAnalysisRule";
const _IAARC = "InternalAccessAnalysisRuleCriteria";
const _IAARCL = "InternalAccessAnalysisRuleCriteriaList";
const _IAC = "InternalAccessConfiguration";
const _IAD = "InternalAccessDetails";
const _IAFS = "InternalAccessFindingsStatistics";
const _IAR = "InlineArchiveRule";
const _IARL = "InlineArchiveRulesList";
const _IARTD = "InternalAccessResourceTypeDetails";
const _IARTSM = "InternalAccessResourceTypeStatisticsMap";
const _IC = "InternetConfiguration";
const _IPE = "InvalidParameterException";
const _IRC = "IamRoleConfiguration";
const _ISE = "InternalServerException";
const _JD = "JobDetails";
const _JE = "JobError";
const _KGC = "KmsGrantConfiguration";
const _KGCL = "KmsGrantConfigurationsList";
const _KGCm = "KmsGrantConstraints";
const _KKC = "KmsKeyConfiguration";
const _L = "Location";
const _LA = "ListAnalyzers";
const _LAP = "ListAccessPreviews";
const _LAPF = "ListAccessPreviewFindings";
const _LAPFR = "ListAccessPreviewFindingsRequest";
const _LAPFRi = "ListAccessPreviewFindingsResponse";
const _LAPR = "ListAccessPreviewsRequest";
const _LAPRi = "ListAccessPreviewsResponse";
const _LAR = "ListAnalyzersRequest";
const _LARR = "ListAnalyzedResourcesRequest";
const _LARRi = "ListAnalyzedResourcesResponse";
const _LARRis = "ListArchiveRulesRequest";
const _LARRist = "ListArchiveRulesResponse";
const _LARi = "ListAnalyzersResponse";
const _LARis = "ListAnalyzedResources";
const _LARist = "ListArchiveRules";
const _LF = "ListFindings";
const _LFR = "ListFindingsRequest";
const _LFRi = "ListFindingsResponse";
const _LFV = "ListFindingsV2";
const _LFVR = "ListFindingsV2Request";
const _LFVRi = "ListFindingsV2Response";
const _LL = "LocationList";
const _LPG = "ListPolicyGenerations";
const _LPGR = "ListPolicyGenerationsRequest";
const _LPGRi = "ListPolicyGenerationsResponse";
const _LTFR = "ListTagsForResource";
const _LTFRR = "ListTagsForResourceRequest";
const _LTFRRi = "ListTagsForResourceResponse";
const _NOC = "NetworkOriginConfiguration";
const _P = "Position";
const _PE = "PathElement";
const _PEL = "PathElementList";
const _PG = "PolicyGeneration";
const _PGD = "PolicyGenerationDetails";
const _PGL = "PolicyGenerationList";
const _RA = "Retry-After";
const _RDCSAM = "RdsDbClusterSnapshotAttributesMap";
const _RDCSAV = "RdsDbClusterSnapshotAttributeValue";
const _RDCSC = "RdsDbClusterSnapshotConfiguration";
const _RDSAM = "RdsDbSnapshotAttributesMap";
const _RDSAV = "RdsDbSnapshotAttributeValue";
const _RDSC = "RdsDbSnapshotConfiguration";
const _RE = "RecommendationError";
const _RNFE = "ResourceNotFoundException";
const _RS = "ReasonSummary";
const _RSL = "ReasonSummaryList";
const _RSLe = "RecommendedStepList";
const _RSe = "RecommendedStep";
const _RTD = "ResourceTypeDetails";
const _RTSM = "ResourceTypeStatisticsMap";
const _S = "Span";
const _SAPC = "S3AccessPointConfiguration";
const _SAPCM = "S3AccessPointConfigurationsMap";
const _SBAGC = "S3BucketAclGrantConfiguration";
const _SBAGCL = "S3BucketAclGrantConfigurationsList";
const _SBC = "S3BucketConfiguration";
const _SC = "SortCriteria";
const _SEDAPC = "S3ExpressDirectoryAccessPointConfiguration";
const _SEDAPCM = "S3ExpressDirectoryAccessPointConfigurationsMap";
const _SEDBC = "S3ExpressDirectoryBucketConfiguration";
const _SMSC = "SecretsManagerSecretConfiguration";
const _SPABC = "S3PublicAccessBlockConfiguration";
const _SPG = "StartPolicyGeneration";
const _SPGR = "StartPolicyGenerationRequest";
const _SPGRt = "StartPolicyGenerationResponse";
const _SQC = "SqsQueueConfiguration";
const _SQEE = "ServiceQuotaExceededException";
const _SR = "StatusReason";
const _SRS = "StartResourceScan";
const _SRSR = "StartResourceScanRequest";
const _STC = "SnsTopicConfiguration";
const _Su = "Substring";
const _T = "Trail";
const _TE = "ThrottlingException";
const _TL = "TagsList";
const _TLr = "TrailList";
const _TP = "TrailProperties";
const _TPL = "TrailPropertiesList";
const _TR = "TagResource";
const _TRR = "TagResourceRequest";
const _TRRa = "TagResourceResponse";
const _UA = "UnusedAction";
const _UAC = "UnusedAccessConfiguration";
const _UAFS = "UnusedAccessFindingsStatistics";
const _UAL = "UnusedActionList";
const _UAR = "UpdateAnalyzerRequest";
const _UARR = "UpdateArchiveRuleRequest";
const _UARp = "UpdateAnalyzerResponse";
const _UARpd = "UpdateArchiveRule";
const _UATS = "UnusedAccessTypeStatistics";
const _UATSL = "UnusedAccessTypeStatisticsList";
const _UAp = "UpdateAnalyzer";
const _UEE = "UnprocessableEntityException";
const _UF = "UpdateFindings";
const _UFR = "UpdateFindingsRequest";
const _UIRD = "UnusedIamRoleDetails";
const _UIUAKD = "UnusedIamUserAccessKeyDetails";
const _UIUPD = "UnusedIamUserPasswordDetails";
const _UPD = "UnusedPermissionDetails";
const _UPRS = "UnusedPermissionsRecommendedStep";
const _UR = "UntagResource";
const _URR = "UntagResourceRequest";
const _URRn = "UntagResourceResponse";
const _VC = "VpcConfiguration";
const _VE = "ValidationException";
const _VEF = "ValidationExceptionField";
const _VEFL = "ValidationExceptionFieldList";
const _VP = "ValidatePolicy";
const _VPF = "ValidatePolicyFinding";
const _VPFL = "ValidatePolicyFindingList";
const _VPR = "ValidatePolicyRequest";
const _VPRa = "ValidatePolicyResponse";
const _a = "actions";
const _aA = "analyzerArn";
const _aAn = "analyzedAt";
const _aI = "accountIds";
const _aKI = "accessKeyId";
const _aN = "analyzerName";
const _aNt = "attributeName";
const _aP = "accessPreview";
const _aPA = "accessPointArn";
const _aPAc = "accessPointAccount";
const _aPI = "accessPreviewId";
const _aPP = "accessPointPolicy";
const _aPc = "accessPreviews";
const _aPcc = "accessPoints";
const _aR = "accessRole";
const _aRl = "allRegions";
const _aRn = "analysisRule";
const _aRna = "analyzedResources";
const _aRr = "archiveRules";
const _aRrc = "archiveRule";
const _aT = "accessType";
const _ac = "action";
const _acc = "access";
const _acco = "account";
const _an = "analyzer";
const _ana = "analyzers";
const _ar = "arn";
const _at = "attributes";
const _bAG = "bucketAclGrants";
const _bP = "bucketPolicy";
const _bPAB = "bucketPublicAccessBlock";
const _c = "client";
const _cA = "createdAt";
const _cAo = "completedAt";
const _cO = "completedOn";
const _cT = "changeType";
const _cTA = "cloudTrailArn";
const _cTD = "cloudTrailDetails";
const _cTP = "cloudTrailProperties";
const _cTl = "clientToken";
const _co = "configurations";
const _cod = "code";
const _col = "column";
const _con = "condition";
const _conf = "configuration";
const _cons = "constraints";
const _cont = "contains";
const _d = "details";
const _dS = "dynamodbStream";
const _dT = "dynamodbTable";
const _de = "detail";
const _des = "description";
const _e = "error";
const _eAD = "externalAccessDetails";
const _eAFS = "externalAccessFindingsStatistics";
const _eCE = "encryptionContextEquals";
const _eCS = "encryptionContextSubset";
const _eFI = "existingFindingId";
const _eFS = "existingFindingStatus";
const _eFSf = "efsFileSystem";
const _ePD = "existingPolicyDocument";
const _ePI = "existingPolicyId";
const _eR = "ecrRepository";
const _eS = "ebsSnapshot";
const _eT = "endTime";
const _en = "end";
const _eq = "eq";
const _ex = "exclusions";
const _exi = "exists";
const _f = "filter";
const _fD = "findingDetails";
const _fL = "fieldList";
const _fS = "findingsStatistics";
const _fSP = "fileSystemPolicy";
const _fT = "findingType";
const _fi = "finding";
const _fin = "findings";
const _g = "groups";
const _gP = "generatedPolicies";
const _gPR = "generatedPolicyResult";
const _gPr = "granteePrincipal";
const _gr = "grants";
const _gra = "grantee";
const _h = "http";
const _hE = "httpError";
const _hH = "httpHeader";
const _hQ = "httpQuery";
const _i = "id";
const _iA = "issuingAccount";
const _iAD = "internalAccessDetails";
const _iAFS = "internalAccessFindingsStatistics";
const _iAn = "internalAccess";
const _iC = "isComplete";
const _iCn = "internetConfiguration";
const _iCs = "issueCode";
const _iP = "isPublic";
const _iPA = "ignorePublicAcls";
const _iR = "iamRole";
const _iRP = "includeResourcePlaceholders";
const _iSLT = "includeServiceLevelTemplate";
const _iT = "idempotencyToken";
const _id = "ids";
const _in = "inclusions";
const _ind = "index";
const _jD = "jobDetails";
const _jE = "jobError";
const _jI = "jobId";
const _k = "key";
const _kK = "kmsKey";
const _kKI = "kmsKeyId";
const _kP = "keyPolicies";
const _l = "line";
const _lA = "lastAccessed";
const _lML = "learnMoreLink";
const _lRA = "lastResourceAnalyzed";
const _lRAA = "lastResourceAnalyzedAt";
const _lUA = "lastUpdatedAt";
const _le = "length";
const _lo = "locations";
const _loc = "locale";
const _m = "message";
const _mB = "managedBy";
const _mR = "maxResults";
const _n = "name";
const _nO = "networkOrigin";
const _nOAF = "numberOfActiveFindings";
const _nPD = "newPolicyDocument";
const _nT = "nextToken";
const _ne = "neq";
const _o = "operations";
const _oB = "orderBy";
const _of = "offset";
const _p = "principal";
const _pA = "principalArn";
const _pAB = "publicAccessBlock";
const _pD = "policyDocument";
const _pG = "policyGenerations";
const _pGD = "policyGenerationDetails";
const _pOA = "principalOwnerAccount";
const _pT = "policyType";
const _pTr = "principalType";
const _pUA = "policyUpdatedAt";
const _pa = "path";
const _pe = "permission";
const _po = "policy";
const _pr = "properties";
const _qP = "queuePolicy";
const _r = "reason";
const _rA = "resourceArn";
const _rAS = "retryAfterSeconds";
const _rAe = "resourceArns";
const _rAec = "recommendedAction";
const _rCPR = "resourceControlPolicyRestriction";
const _rDCS = "rdsDbClusterSnapshot";
const _rDS = "rdsDbSnapshot";
const _rI = "resourceId";
const _rN = "ruleName";
const _rOA = "resourceOwnerAccount";
const _rP = "repositoryPolicy";
const _rPB = "restrictPublicBuckets";
const _rPe = "retiringPrincipal";
const _rPec = "recommendedPolicy";
const _rS = "recommendedSteps";
const _rT = "resourceType";
const _rTS = "resourceTypeStatistics";
const _rTe = "resourceTags";
const _rTec = "recommendationType";
const _rTes = "resourceTypes";
const _re = "resources";
const _rea = "reasons";
const _reg = "regions";
const _res = "resource";
const _resu = "result";
const _s = "smithy.ts.sdk.synthetic.com.amazonaws.accessanalyzer";
const _sA = "startedAt";
const _sB = "s3Bucket";
const _sCPR = "serviceControlPolicyRestriction";
const _sEDB = "s3ExpressDirectoryBucket";
const _sI = "statementIndex";
const _sIt = "statementId";
const _sMS = "secretsManagerSecret";
const _sN = "serviceNamespace";
const _sO = "startedOn";
const _sP = "streamPolicy";
const _sPe = "secretPolicy";
const _sQ = "sqsQueue";
const _sR = "statusReason";
const _sT = "startTime";
const _sTn = "snsTopic";
const _sV = "sharedVia";
const _se = "server";
const _so = "sources";
const _sor = "sort";
const _sp = "span";
const _st = "status";
const _sta = "start";
const _su = "substring";
const _t = "type";
const _tA = "topAccounts";
const _tACA = "totalActiveCrossAccount";
const _tAE = "totalActiveErrors";
const _tAF = "totalActiveFindings";
const _tAFo = "totalArchivedFindings";
const _tAP = "totalActivePublic";
const _tK = "tagKeys";
const _tP = "trailProperties";
const _tPa = "tablePolicy";
const _tPo = "topicPolicy";
const _tPr = "trustPolicy";
const _tRF = "totalResolvedFindings";
const _ta = "tags";
const _to = "total";
const _tr = "trails";
const _u = "uri";
const _uA = "updatedAt";
const _uAA = "unusedAccessAge";
const _uAFS = "unusedAccessFindingsStatistics";
const _uAT = "unusedAccessType";
const _uATS = "unusedAccessTypeStatistics";
const _uAn = "unusedAccess";
const _uI = "userIds";
const _uIRD = "unusedIamRoleDetails";
const _uIUAKD = "unusedIamUserAccessKeyDetails";
const _uIUPD = "unusedIamUserPasswordDetails";
const _uPD = "unusedPermissionDetails";
const _uPRS = "unusedPermissionsRecommendedStep";
const _v = "value";
const _vC = "vpcConfiguration";
const _vI = "vpcId";
const _vPRT = "validatePolicyResourceType";
const n0 = "com.amazonaws.accessanalyzer";
const _s_registry = TypeRegistry.for(_s);
var AccessAnalyzerServiceException$ = [-3, _s, "AccessAnalyzerServiceException", 0, [], []];
_s_registry.registerError(AccessAnalyzerServiceException$, AccessAnalyzerServiceException);
const n0_registry = TypeRegistry.for(n0);
var AccessDeniedException$ = [-3, n0, _ADE,
    { [_e]: _c, [_hE]: 403 },
    [_m],
    [0], 1
];
n0_registry.registerError(AccessDeniedException$, AccessDeniedException);
var ConflictException$ = [-3, n0, _CE,
    { [_e]: _c, [_hE]: 409 },
    [_m, _rI, _rT],
    [0, 0, 0], 3
];
n0_registry.registerError(ConflictException$, ConflictException);
var InternalServerException$ = [-3, n0, _ISE,
    { [_e]: _se, [_hE]: 500 },
    [_m, _rAS],
    [0, [1, { [_hH]: _RA }]], 1
];
n0_registry.registerError(InternalServerException$, InternalServerException);
var InvalidParameterException$ = [-3, n0, _IPE,
    { [_e]: _c, [_hE]: 400 },
    [_m],
    [0], 1
];
n0_registry.registerError(InvalidParameterException$, InvalidParameterException);
var ResourceNotFoundException$ = [-3, n0, _RNFE,
    { [_e]: _c, [_hE]: 404 },
    [_m, _rI, _rT],
    [0, 0, 0], 3
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
var ServiceQuotaExceededException$ = [-3, n0, _SQEE,
    { [_e]: _c, [_hE]: 402 },
    [_m, _rI, _rT],
    [0, 0, 0], 3
];
n0_registry.registerError(ServiceQuotaExceededException$, ServiceQuotaExceededException);
var ThrottlingException$ = [-3, n0, _TE,
    { [_e]: _c, [_hE]: 429 },
    [_m, _rAS],
    [0, [1, { [_hH]: _RA }]], 1
];
n0_registry.registerError(ThrottlingException$, ThrottlingException);
var UnprocessableEntityException$ = [-3, n0, _UEE,
    { [_e]: _c, [_hE]: 422 },
    [_m],
    [0], 1
];
n0_registry.registerError(UnprocessableEntityException$, UnprocessableEntityException);
var ValidationException$ = [-3, n0, _VE,
    { [_e]: _c, [_hE]: 400 },
    [_m, _r, _fL],
    [0, 0, () => ValidationExceptionFieldList], 2
];
n0_registry.registerError(ValidationException$, ValidationException);
const errorTypeRegistries = [
    _s_registry,
    n0_registry,
];
var AccessCheckPolicyDocument = [0, n0, _ACPD, 8, 0];
var Access$ = [3, n0, _A,
    0,
    [_a, _re],
    [64 | 0, 64 | 0]
];
var AccessPreview$ = [3, n0, _AP,
    0,
    [_i, _aA, _co, _cA, _st, _sR],
    [0, 0, () => ConfigurationsMap, 5, 0, () => AccessPreviewStatusReason$], 5
];
var AccessPreviewFinding$ = [3, n0, _APF,
    0,
    [_i, _rT, _cA, _cT, _st, _rOA, _eFI, _eFS, _p, _ac, _con, _res, _iP, _e, _so, _rCPR],
    [0, 0, 5, 0, 0, 0, 0, 0, 128 | 0, 64 | 0, 128 | 0, 0, 2, 0, () => FindingSourceList, 0], 6
];
var AccessPreviewStatusReason$ = [3, n0, _APSR,
    0,
    [_cod],
    [0], 1
];
var AccessPreviewSummary$ = [3, n0, _APS,
    0,
    [_i, _aA, _cA, _st, _sR],
    [0, 0, 5, 0, () => AccessPreviewStatusReason$], 4
];
var AnalysisRule$ = [3, n0, _AR,
    0,
    [_ex],
    [() => AnalysisRuleCriteriaList]
];
var AnalysisRuleCriteria$ = [3, n0, _ARC,
    0,
    [_aI, _rTe],
    [64 | 0, [1, n0, _TL, 0, 128 | 0]]
];
var AnalyzedResource$ = [3, n0, _ARn,
    0,
    [_rA, _rT, _cA, _aAn, _uA, _iP, _rOA, _a, _sV, _st, _e],
    [0, 0, 5, 5, 5, 2, 0, 64 | 0, 64 | 0, 0, 0], 7
];
var AnalyzedResourceSummary$ = [3, n0, _ARS,
    0,
    [_rA, _rOA, _rT],
    [0, 0, 0], 3
];
var AnalyzerSummary$ = [3, n0, _AS,
    0,
    [_ar, _n, _t, _cA, _st, _lRA, _lRAA, _ta, _sR, _conf, _mB],
    [0, 0, 0, 5, 0, 0, 5, 128 | 0, () => StatusReason$, () => AnalyzerConfiguration$, 0], 5
];
var ApplyArchiveRuleRequest$ = [3, n0, _AARR,
    0,
    [_aA, _rN, _cTl],
    [0, 0, [0, 4]], 2
];
var ArchiveRuleSummary$ = [3, n0, _ARSr,
    0,
    [_rN, _f, _cA, _uA],
    [0, () => FilterCriteriaMap, 5, 5], 4
];
var CancelPolicyGenerationRequest$ = [3, n0, _CPGR,
    0,
    [_jI],
    [[0, 1]], 1
];
var CancelPolicyGenerationResponse$ = [3, n0, _CPGRa,
    0,
    [],
    []
];
var CheckAccessNotGrantedRequest$ = [3, n0, _CANGR,
    0,
    [_pD, _acc, _pT],
    [[() => AccessCheckPolicyDocument, 0], () => AccessList, 0], 3
];
var CheckAccessNotGrantedResponse$ = [3, n0, _CANGRh,
    0,
    [_resu, _m, _rea],
    [0, 0, () => ReasonSummaryList]
];
var CheckNoNewAccessRequest$ = [3, n0, _CNNAR,
    0,
    [_nPD, _ePD, _pT],
    [[() => AccessCheckPolicyDocument, 0], [() => AccessCheckPolicyDocument, 0], 0], 3
];
var CheckNoNewAccessResponse$ = [3, n0, _CNNARh,
    0,
    [_resu, _m, _rea],
    [0, 0, () => ReasonSummaryList]
];
var CheckNoPublicAccessRequest$ = [3, n0, _CNPAR,
    0,
    [_pD, _rT],
    [[() => AccessCheckPolicyDocument, 0], 0], 2
];
var CheckNoPublicAccessResponse$ = [3, n0, _CNPARh,
    0,
    [_resu, _m, _rea],
    [0, 0, () => ReasonSummaryList]
];
var CloudTrailDetails$ = [3, n0, _CTD,
    0,
    [_tr, _aR, _sT, _eT],
    [() => TrailList, 0, 5, 5], 3
];
var CloudTrailProperties$ = [3, n0, _CTP,
    0,
    [_tP, _sT, _eT],
    [() => TrailPropertiesList, 5, 5], 3
];
var CreateAccessPreviewRequest$ = [3, n0, _CAPR,
    0,
    [_aA, _co, _cTl],
    [0, () => ConfigurationsMap, [0, 4]], 2
];
var CreateAccessPreviewResponse$ = [3, n0, _CAPRr,
    0,
    [_i],
    [0], 1
];
var CreateAnalyzerRequest$ = [3, n0, _CAR,
    0,
    [_aN, _t, _aRr, _ta, _cTl, _conf],
    [0, 0, () => InlineArchiveRulesList, 128 | 0, [0, 4], () => AnalyzerConfiguration$], 2
];
var CreateAnalyzerResponse$ = [3, n0, _CARr,
    0,
    [_ar],
    [0]
];
var CreateArchiveRuleRequest$ = [3, n0, _CARR,
    0,
    [_aN, _rN, _f, _cTl],
    [[0, 1], 0, () => FilterCriteriaMap, [0, 4]], 3
];
var CreateServiceLinkedAnalyzerRequest$ = [3, n0, _CSLAR,
    0,
    [_t, _aRr, _cTl, _conf],
    [0, () => InlineArchiveRulesList, [0, 4], () => AnalyzerConfiguration$], 1
];
var CreateServiceLinkedAnalyzerResponse$ = [3, n0, _CSLARr,
    0,
    [_ar],
    [0]
];
var Criterion$ = [3, n0, _C,
    0,
    [_eq, _ne, _cont, _exi],
    [64 | 0, 64 | 0, 64 | 0, 2]
];
var DeleteAnalyzerRequest$ = [3, n0, _DAR,
    0,
    [_aN, _cTl],
    [[0, 1], [0, { [_hQ]: _cTl, [_iT]: 1 }]], 1
];
var DeleteArchiveRuleRequest$ = [3, n0, _DARR,
    0,
    [_aN, _rN, _cTl],
    [[0, 1], [0, 1], [0, { [_hQ]: _cTl, [_iT]: 1 }]], 2
];
var DeleteServiceLinkedAnalyzerRequest$ = [3, n0, _DSLAR,
    0,
    [_aN, _cTl],
    [[0, 1], [0, { [_hQ]: _cTl, [_iT]: 1 }]], 1
];
var DynamodbStreamConfiguration$ = [3, n0, _DSC,
    0,
    [_sP],
    [0]
];
var DynamodbTableConfiguration$ = [3, n0, _DTC,
    0,
    [_tPa],
    [0]
];
var EbsSnapshotConfiguration$ = [3, n0, _ESC,
    0,
    [_uI, _g, _kKI],
    [64 | 0, 64 | 0, 0]
];
var EcrRepositoryConfiguration$ = [3, n0, _ERC,
    0,
    [_rP],
    [0]
];
var EfsFileSystemConfiguration$ = [3, n0, _EFSC,
    0,
    [_fSP],
    [0]
];
var ExternalAccessDetails$ = [3, n0, _EAD,
    0,
    [_con, _ac, _iP, _p, _so, _rCPR],
    [128 | 0, 64 | 0, 2, 128 | 0, () => FindingSourceList, 0], 1
];
var ExternalAccessFindingsStatistics$ = [3, n0, _EAFS,
    0,
    [_rTS, _tAF, _tAFo, _tRF],
    [() => ResourceTypeStatisticsMap, 1, 1, 1]
];
var Finding$ = [3, n0, _F,
    0,
    [_i, _rT, _con, _cA, _aAn, _uA, _st, _rOA, _p, _ac, _res, _iP, _e, _so, _rCPR],
    [0, 0, 128 | 0, 5, 5, 5, 0, 0, 128 | 0, 64 | 0, 0, 2, 0, () => FindingSourceList, 0], 8
];
var FindingAggregationAccountDetails$ = [3, n0, _FAAD,
    0,
    [_acco, _nOAF, _d],
    [0, 1, 128 | 1]
];
var FindingSource$ = [3, n0, _FS,
    0,
    [_t, _de],
    [0, () => FindingSourceDetail$], 1
];
var FindingSourceDetail$ = [3, n0, _FSD,
    0,
    [_aPA, _aPAc],
    [0, 0]
];
var FindingSummary$ = [3, n0, _FSi,
    0,
    [_i, _rT, _con, _cA, _aAn, _uA, _st, _rOA, _p, _ac, _res, _iP, _e, _so, _rCPR],
    [0, 0, 128 | 0, 5, 5, 5, 0, 0, 128 | 0, 64 | 0, 0, 2, 0, () => FindingSourceList, 0], 8
];
var FindingSummaryV2$ = [3, n0, _FSV,
    0,
    [_aAn, _cA, _i, _rT, _rOA, _st, _uA, _e, _res, _fT],
    [5, 5, 0, 0, 0, 0, 5, 0, 0, 0], 7
];
var GeneratedPolicy$ = [3, n0, _GP,
    0,
    [_po],
    [0], 1
];
var GeneratedPolicyProperties$ = [3, n0, _GPP,
    0,
    [_pA, _iC, _cTP],
    [0, 2, () => CloudTrailProperties$], 1
];
var GeneratedPolicyResult$ = [3, n0, _GPR,
    0,
    [_pr, _gP],
    [() => GeneratedPolicyProperties$, () => GeneratedPolicyList], 1
];
var GenerateFindingRecommendationRequest$ = [3, n0, _GFRR,
    0,
    [_aA, _i],
    [[0, { [_hQ]: _aA }], [0, 1]], 2
];
var GetAccessPreviewRequest$ = [3, n0, _GAPR,
    0,
    [_aPI, _aA],
    [[0, 1], [0, { [_hQ]: _aA }]], 2
];
var GetAccessPreviewResponse$ = [3, n0, _GAPRe,
    0,
    [_aP],
    [() => AccessPreview$], 1
];
var GetAnalyzedResourceRequest$ = [3, n0, _GARR,
    0,
    [_aA, _rA],
    [[0, { [_hQ]: _aA }], [0, { [_hQ]: _rA }]], 2
];
var GetAnalyzedResourceResponse$ = [3, n0, _GARRe,
    0,
    [_res],
    [() => AnalyzedResource$]
];
var GetAnalyzerRequest$ = [3, n0, _GAR,
    0,
    [_aN],
    [[0, 1]], 1
];
var GetAnalyzerResponse$ = [3, n0, _GARe,
    0,
    [_an],
    [() => AnalyzerSummary$], 1
];
var GetArchiveRuleRequest$ = [3, n0, _GARRet,
    0,
    [_aN, _rN],
    [[0, 1], [0, 1]], 2
];
var GetArchiveRuleResponse$ = [3, n0, _GARRetr,
    0,
    [_aRrc],
    [() => ArchiveRuleSummary$], 1
];
var GetFindingRecommendationRequest$ = [3, n0, _GFRRe,
    0,
    [_aA, _i, _mR, _nT],
    [[0, { [_hQ]: _aA }], [0, 1], [1, { [_hQ]: _mR }], [0, { [_hQ]: _nT }]], 2
];
var GetFindingRecommendationResponse$ = [3, n0, _GFRRet,
    0,
    [_sA, _rA, _rTec, _st, _cAo, _nT, _e, _rS],
    [5, 0, 0, 0, 5, 0, () => RecommendationError$, () => RecommendedStepList], 4
];
var GetFindingRequest$ = [3, n0, _GFR,
    0,
    [_aA, _i],
    [[0, { [_hQ]: _aA }], [0, 1]], 2
];
var GetFindingResponse$ = [3, n0, _GFRe,
    0,
    [_fi],
    [() => Finding$]
];
var GetFindingsStatisticsRequest$ = [3, n0, _GFSR,
    0,
    [_aA],
    [0], 1
];
var GetFindingsStatisticsResponse$ = [3, n0, _GFSRe,
    0,
    [_fS, _lUA],
    [() => FindingsStatisticsList, 5]
];
var GetFindingV2Request$ = [3, n0, _GFVR,
    0,
    [_aA, _i, _mR, _nT],
    [[0, { [_hQ]: _aA }], [0, 1], [1, { [_hQ]: _mR }], [0, { [_hQ]: _nT }]], 2
];
var GetFindingV2Response$ = [3, n0, _GFVRe,
    0,
    [_aAn, _cA, _i, _rT, _rOA, _st, _uA, _fD, _e, _nT, _res, _fT],
    [5, 5, 0, 0, 0, 0, 5, () => FindingDetailsList, 0, 0, 0, 0], 8
];
var GetGeneratedPolicyRequest$ = [3, n0, _GGPR,
    0,
    [_jI, _iRP, _iSLT],
    [[0, 1], [2, { [_hQ]: _iRP }], [2, { [_hQ]: _iSLT }]], 1
];
var GetGeneratedPolicyResponse$ = [3, n0, _GGPRe,
    0,
    [_jD, _gPR],
    [() => JobDetails$, () => GeneratedPolicyResult$], 2
];
var IamRoleConfiguration$ = [3, n0, _IRC,
    0,
    [_tPr],
    [0]
];
var InlineArchiveRule$ = [3, n0, _IAR,
    0,
    [_rN, _f],
    [0, () => FilterCriteriaMap], 2
];
var InternalAccessAnalysisRule$ = [3, n0, _IAAR,
    0,
    [_in],
    [() => InternalAccessAnalysisRuleCriteriaList]
];
var InternalAccessAnalysisRuleCriteria$ = [3, n0, _IAARC,
    0,
    [_aI, _rTes, _rAe],
    [64 | 0, 64 | 0, 64 | 0]
];
var InternalAccessConfiguration$ = [3, n0, _IAC,
    0,
    [_aRn],
    [() => InternalAccessAnalysisRule$]
];
var InternalAccessDetails$ = [3, n0, _IAD,
    0,
    [_ac, _con, _p, _pOA, _aT, _pTr, _so, _rCPR, _sCPR],
    [64 | 0, 128 | 0, 128 | 0, 0, 0, 0, () => FindingSourceList, 0, 0]
];
var InternalAccessFindingsStatistics$ = [3, n0, _IAFS,
    0,
    [_rTS, _tAF, _tAFo, _tRF],
    [() => InternalAccessResourceTypeStatisticsMap, 1, 1, 1]
];
var InternalAccessResourceTypeDetails$ = [3, n0, _IARTD,
    0,
    [_tAF, _tRF, _tAFo],
    [1, 1, 1]
];
var InternetConfiguration$ = [3, n0, _IC,
    0,
    [],
    []
];
var JobDetails$ = [3, n0, _JD,
    0,
    [_jI, _st, _sO, _cO, _jE],
    [0, 0, 5, 5, () => JobError$], 3
];
var JobError$ = [3, n0, _JE,
    0,
    [_cod, _m],
    [0, 0], 2
];
var KmsGrantConfiguration$ = [3, n0, _KGC,
    0,
    [_o, _gPr, _iA, _rPe, _cons],
    [64 | 0, 0, 0, 0, () => KmsGrantConstraints$], 3
];
var KmsGrantConstraints$ = [3, n0, _KGCm,
    0,
    [_eCE, _eCS],
    [128 | 0, 128 | 0]
];
var KmsKeyConfiguration$ = [3, n0, _KKC,
    0,
    [_kP, _gr],
    [128 | 0, () => KmsGrantConfigurationsList]
];
var ListAccessPreviewFindingsRequest$ = [3, n0, _LAPFR,
    0,
    [_aPI, _aA, _f, _nT, _mR],
    [[0, 1], 0, () => FilterCriteriaMap, 0, 1], 2
];
var ListAccessPreviewFindingsResponse$ = [3, n0, _LAPFRi,
    0,
    [_fin, _nT],
    [() => AccessPreviewFindingsList, 0], 1
];
var ListAccessPreviewsRequest$ = [3, n0, _LAPR,
    0,
    [_aA, _nT, _mR],
    [[0, { [_hQ]: _aA }], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListAccessPreviewsResponse$ = [3, n0, _LAPRi,
    0,
    [_aPc, _nT],
    [() => AccessPreviewsList, 0], 1
];
var ListAnalyzedResourcesRequest$ = [3, n0, _LARR,
    0,
    [_aA, _rT, _nT, _mR],
    [0, 0, 0, 1], 1
];
var ListAnalyzedResourcesResponse$ = [3, n0, _LARRi,
    0,
    [_aRna, _nT],
    [() => AnalyzedResourcesList, 0], 1
];
var ListAnalyzersRequest$ = [3, n0, _LAR,
    0,
    [_nT, _mR, _t],
    [[0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }], [0, { [_hQ]: _t }]]
];
var ListAnalyzersResponse$ = [3, n0, _LARi,
    0,
    [_ana, _nT],
    [() => AnalyzersList, 0], 1
];
var ListArchiveRulesRequest$ = [3, n0, _LARRis,
    0,
    [_aN, _nT, _mR],
    [[0, 1], [0, { [_hQ]: _nT }], [1, { [_hQ]: _mR }]], 1
];
var ListArchiveRulesResponse$ = [3, n0, _LARRist,
    0,
    [_aRr, _nT],
    [() => ArchiveRulesList, 0], 1
];
var ListFindingsRequest$ = [3, n0, _LFR,
    0,
    [_aA, _f, _sor, _nT, _mR],
    [0, () => FilterCriteriaMap, () => SortCriteria$, 0, 1], 1
];
var ListFindingsResponse$ = [3, n0, _LFRi,
    0,
    [_fin, _nT],
    [() => FindingsList, 0], 1
];
var ListFindingsV2Request$ = [3, n0, _LFVR,
    0,
    [_aA, _f, _mR, _nT, _sor],
    [0, () => FilterCriteriaMap, 1, 0, () => SortCriteria$], 1
];
var ListFindingsV2Response$ = [3, n0, _LFVRi,
    0,
    [_fin, _nT],
    [() => FindingsListV2, 0], 1
];
var ListPolicyGenerationsRequest$ = [3, n0, _LPGR,
    0,
    [_pA, _mR, _nT],
    [[0, { [_hQ]: _pA }], [1, { [_hQ]: _mR }], [0, { [_hQ]: _nT }]]
];
var ListPolicyGenerationsResponse$ = [3, n0, _LPGRi,
    0,
    [_pG, _nT],
    [() => PolicyGenerationList, 0], 1
];
var ListTagsForResourceRequest$ = [3, n0, _LTFRR,
    0,
    [_rA],
    [[0, 1]], 1
];
var ListTagsForResourceResponse$ = [3, n0, _LTFRRi,
    0,
    [_ta],
    [128 | 0]
];
var Location$ = [3, n0, _L,
    0,
    [_pa, _sp],
    [() => PathElementList, () => Span$], 2
];
var PolicyGeneration$ = [3, n0, _PG,
    0,
    [_jI, _pA, _st, _sO, _cO],
    [0, 0, 0, 5, 5], 4
];
var PolicyGenerationDetails$ = [3, n0, _PGD,
    0,
    [_pA],
    [0], 1
];
var Position$ = [3, n0, _P,
    0,
    [_l, _col, _of],
    [1, 1, 1], 3
];
var RdsDbClusterSnapshotConfiguration$ = [3, n0, _RDCSC,
    0,
    [_at, _kKI],
    [() => RdsDbClusterSnapshotAttributesMap, 0]
];
var RdsDbSnapshotConfiguration$ = [3, n0, _RDSC,
    0,
    [_at, _kKI],
    [() => RdsDbSnapshotAttributesMap, 0]
];
var ReasonSummary$ = [3, n0, _RS,
    0,
    [_des, _sI, _sIt],
    [0, 1, 0]
];
var RecommendationError$ = [3, n0, _RE,
    0,
    [_cod, _m],
    [0, 0], 2
];
var ResourceTypeDetails$ = [3, n0, _RTD,
    0,
    [_tAP, _tACA, _tAE],
    [1, 1, 1]
];
var S3AccessPointConfiguration$ = [3, n0, _SAPC,
    0,
    [_aPP, _pAB, _nO],
    [0, () => S3PublicAccessBlockConfiguration$, () => NetworkOriginConfiguration$]
];
var S3BucketAclGrantConfiguration$ = [3, n0, _SBAGC,
    0,
    [_pe, _gra],
    [0, () => AclGrantee$], 2
];
var S3BucketConfiguration$ = [3, n0, _SBC,
    0,
    [_bP, _bAG, _bPAB, _aPcc],
    [0, () => S3BucketAclGrantConfigurationsList, () => S3PublicAccessBlockConfiguration$, () => S3AccessPointConfigurationsMap]
];
var S3ExpressDirectoryAccessPointConfiguration$ = [3, n0, _SEDAPC,
    0,
    [_aPP, _nO],
    [0, () => NetworkOriginConfiguration$]
];
var S3ExpressDirectoryBucketConfiguration$ = [3, n0, _SEDBC,
    0,
    [_bP, _aPcc],
    [0, () => S3ExpressDirectoryAccessPointConfigurationsMap]
];
var S3PublicAccessBlockConfiguration$ = [3, n0, _SPABC,
    0,
    [_iPA, _rPB],
    [2, 2], 2
];
var SecretsManagerSecretConfiguration$ = [3, n0, _SMSC,
    0,
    [_kKI, _sPe],
    [0, 0]
];
var SnsTopicConfiguration$ = [3, n0, _STC,
    0,
    [_tPo],
    [0]
];
var SortCriteria$ = [3, n0, _SC,
    0,
    [_aNt, _oB],
    [0, 0]
];
var Span$ = [3, n0, _S,
    0,
    [_sta, _en],
    [() => Position$, () => Position$], 2
];
var SqsQueueConfiguration$ = [3, n0, _SQC,
    0,
    [_qP],
    [0]
];
var StartPolicyGenerationRequest$ = [3, n0, _SPGR,
    0,
    [_pGD, _cTD, _cTl],
    [() => PolicyGenerationDetails$, () => CloudTrailDetails$, [0, 4]], 1
];
var StartPolicyGenerationResponse$ = [3, n0, _SPGRt,
    0,
    [_jI],
    [0], 1
];
var StartResourceScanRequest$ = [3, n0, _SRSR,
    0,
    [_aA, _rA, _rOA],
    [0, 0, 0], 2
];
var StatusReason$ = [3, n0, _SR,
    0,
    [_cod],
    [0], 1
];
var Substring$ = [3, n0, _Su,
    0,
    [_sta, _le],
    [1, 1], 2
];
var TagResourceRequest$ = [3, n0, _TRR,
    0,
    [_rA, _ta],
    [[0, 1], 128 | 0], 2
];
var TagResourceResponse$ = [3, n0, _TRRa,
    0,
    [],
    []
];
var Trail$ = [3, n0, _T,
    0,
    [_cTA, _reg, _aRl],
    [0, 64 | 0, 2], 1
];
var TrailProperties$ = [3, n0, _TP,
    0,
    [_cTA, _reg, _aRl],
    [0, 64 | 0, 2], 1
];
var UntagResourceRequest$ = [3, n0, _URR,
    0,
    [_rA, _tK],
    [[0, 1], [64 | 0, { [_hQ]: _tK }]], 2
];
var UntagResourceResponse$ = [3, n0, _URRn,
    0,
    [],
    []
];
var UnusedAccessConfiguration$ = [3, n0, _UAC,
    0,
    [_uAA, _aRn],
    [1, () => AnalysisRule$]
];
var UnusedAccessFindingsStatistics$ = [3, n0, _UAFS,
    0,
    [_uATS, _tA, _tAF, _tAFo, _tRF],
    [() => UnusedAccessTypeStatisticsList, () => AccountAggregations, 1, 1, 1]
];
var UnusedAccessTypeStatistics$ = [3, n0, _UATS,
    0,
    [_uAT, _to],
    [0, 1]
];
var UnusedAction$ = [3, n0, _UA,
    0,
    [_ac, _lA],
    [0, 5], 1
];
var UnusedIamRoleDetails$ = [3, n0, _UIRD,
    0,
    [_lA],
    [5]
];
var UnusedIamUserAccessKeyDetails$ = [3, n0, _UIUAKD,
    0,
    [_aKI, _lA],
    [0, 5], 1
];
var UnusedIamUserPasswordDetails$ = [3, n0, _UIUPD,
    0,
    [_lA],
    [5]
];
var UnusedPermissionDetails$ = [3, n0, _UPD,
    0,
    [_sN, _a, _lA],
    [0, () => UnusedActionList, 5], 1
];
var UnusedPermissionsRecommendedStep$ = [3, n0, _UPRS,
    0,
    [_rAec, _pUA, _rPec, _ePI],
    [0, 5, 0, 0], 1
];
var UpdateAnalyzerRequest$ = [3, n0, _UAR,
    0,
    [_aN, _conf],
    [[0, 1], () => AnalyzerConfiguration$], 1
];
var UpdateAnalyzerResponse$ = [3, n0, _UARp,
    0,
    [_conf],
    [() => AnalyzerConfiguration$]
];
var UpdateArchiveRuleRequest$ = [3, n0, _UARR,
    0,
    [_aN, _rN, _f, _cTl],
    [[0, 1], [0, 1], () => FilterCriteriaMap, [0, 4]], 3
];
var UpdateFindingsRequest$ = [3, n0, _UFR,
    0,
    [_aA, _st, _id, _rA, _cTl],
    [0, 0, 64 | 0, 0, [0, 4]], 2
];
var ValidatePolicyFinding$ = [3, n0, _VPF,
    0,
    [_fD, _fT, _iCs, _lML, _lo],
    [0, 0, 0, 0, () => LocationList], 5
];
var ValidatePolicyRequest$ = [3, n0, _VPR,
    0,
    [_pD, _pT, _loc, _mR, _nT, _vPRT],
    [0, 0, 0, [1, { [_hQ]: _mR }], [0, { [_hQ]: _nT }], 0], 2
];
var ValidatePolicyResponse$ = [3, n0, _VPRa,
    0,
    [_fin, _nT],
    [() => ValidatePolicyFindingList, 0], 1
];
var ValidationExceptionField$ = [3, n0, _VEF,
    0,
    [_n, _m],
    [0, 0], 2
];
var VpcConfiguration$ = [3, n0, _VC,
    0,
    [_vI],
    [0], 1
];
var __Unit = "unit";
var AccessList = [1, n0, _AL,
    0, () => Access$
];
var AccessPreviewFindingsList = [1, n0, _APFL,
    0, () => AccessPreviewFinding$
];
var AccessPreviewsList = [1, n0, _APL,
    0, () => AccessPreviewSummary$
];
var AccountAggregations = [1, n0, _AA,
    0, () => FindingAggregationAccountDetails$
];
var AnalysisRuleCriteriaList = [1, n0, _ARCL,
    0, () => AnalysisRuleCriteria$
];
var AnalyzedResourcesList = [1, n0, _ARL,
    0, () => AnalyzedResourceSummary$
];
var AnalyzersList = [1, n0, _ALn,
    0, () => AnalyzerSummary$
];
var ArchiveRulesList = [1, n0, _ARLr,
    0, () => ArchiveRuleSummary$
];
var FindingDetailsList = [1, n0, _FDL,
    0, () => FindingDetails$
];
var FindingsList = [1, n0, _FL,
    0, () => FindingSummary$
];
var FindingsListV2 = [1, n0, _FLV,
    0, () => FindingSummaryV2$
];
var FindingSourceList = [1, n0, _FSL,
    0, () => FindingSource$
];
var FindingsStatisticsList = [1, n0, _FSLi,
    0, () => FindingsStatistics$
];
var GeneratedPolicyList = [1, n0, _GPL,
    0, () => GeneratedPolicy$
];
var InlineArchiveRulesList = [1, n0, _IARL,
    0, () => InlineArchiveRule$
];
var InternalAccessAnalysisRuleCriteriaList = [1, n0, _IAARCL,
    0, () => InternalAccessAnalysisRuleCriteria$
];
var KmsGrantConfigurationsList = [1, n0, _KGCL,
    0, () => KmsGrantConfiguration$
];
var LocationList = [1, n0, _LL,
    0, () => Location$
];
var PathElementList = [1, n0, _PEL,
    0, () => PathElement$
];
var PolicyGenerationList = [1, n0, _PGL,
    0, () => PolicyGeneration$
];
var ReasonSummaryList = [1, n0, _RSL,
    0, () => ReasonSummary$
];
var RecommendedStepList = [1, n0, _RSLe,
    0, () => RecommendedStep$
];
var S3BucketAclGrantConfigurationsList = [1, n0, _SBAGCL,
    0, () => S3BucketAclGrantConfiguration$
];
var TrailList = [1, n0, _TLr,
    0, () => Trail$
];
var TrailPropertiesList = [1, n0, _TPL,
    0, () => TrailProperties$
];
var UnusedAccessTypeStatisticsList = [1, n0, _UATSL,
    0, () => UnusedAccessTypeStatistics$
];
var UnusedActionList = [1, n0, _UAL,
    0, () => UnusedAction$
];
var ValidatePolicyFindingList = [1, n0, _VPFL,
    0, () => ValidatePolicyFinding$
];
var ValidationExceptionFieldList = [1, n0, _VEFL,
    0, () => ValidationExceptionField$
];
var ConfigurationsMap = [2, n0, _CM,
    0, 0, () => Configuration$
];
var FilterCriteriaMap = [2, n0, _FCM,
    0, 0, () => Criterion$
];
var InternalAccessResourceTypeStatisticsMap = [2, n0, _IARTSM,
    0, 0, () => InternalAccessResourceTypeDetails$
];
var RdsDbClusterSnapshotAttributesMap = [2, n0, _RDCSAM,
    0, 0, () => RdsDbClusterSnapshotAttributeValue$
];
var RdsDbSnapshotAttributesMap = [2, n0, _RDSAM,
    0, 0, () => RdsDbSnapshotAttributeValue$
];
var ResourceTypeStatisticsMap = [2, n0, _RTSM,
    0, 0, () => ResourceTypeDetails$
];
var S3AccessPointConfigurationsMap = [2, n0, _SAPCM,
    0, 0, () => S3AccessPointConfiguration$
];
var S3ExpressDirectoryAccessPointConfigurationsMap = [2, n0, _SEDAPCM,
    0, 0, () => S3ExpressDirectoryAccessPointConfiguration$
];
var AclGrantee$ = [4, n0, _AG,
    0,
    [_i, _u],
    [0, 0]
];
var AnalyzerConfiguration$ = [4, n0, _AC,
    0,
    [_uAn, _iAn],
    [() => UnusedAccessConfiguration$, () => InternalAccessConfiguration$]
];
var Configuration$ = [4, n0, _Co,
    0,
    [_eS, _eR, _iR, _eFSf, _kK, _rDCS, _rDS, _sMS, _sB, _sTn, _sQ, _sEDB, _dS, _dT],
    [() => EbsSnapshotConfiguration$, () => EcrRepositoryConfiguration$, () => IamRoleConfiguration$, () => EfsFileSystemConfiguration$, () => KmsKeyConfiguration$, () => RdsDbClusterSnapshotConfiguration$, () => RdsDbSnapshotConfiguration$, () => SecretsManagerSecretConfiguration$, () => S3BucketConfiguration$, () => SnsTopicConfiguration$, () => SqsQueueConfiguration$, () => S3ExpressDirectoryBucketConfiguration$, () => DynamodbStreamConfiguration$, () => DynamodbTableConfiguration$]
];
var FindingDetails$ = [4, n0, _FD,
    0,
    [_iAD, _eAD, _uPD, _uIUAKD, _uIRD, _uIUPD],
    [() => InternalAccessDetails$, () => ExternalAccessDetails$, () => UnusedPermissionDetails$, () => UnusedIamUserAccessKeyDetails$, () => UnusedIamRoleDetails$, () => UnusedIamUserPasswordDetails$]
];
var FindingsStatistics$ = [4, n0, _FSin,
    0,
    [_eAFS, _iAFS, _uAFS],
    [() => ExternalAccessFindingsStatistics$, () => InternalAccessFindingsStatistics$, () => UnusedAccessFindingsStatistics$]
];
var NetworkOriginConfiguration$ = [4, n0, _NOC,
    0,
    [_vC, _iCn],
    [() => VpcConfiguration$, () => InternetConfiguration$]
];
var PathElement$ = [4, n0, _PE,
    0,
    [_ind, _k, _su, _v],
    [1, 0, () => Substring$, 0]
];
var RdsDbClusterSnapshotAttributeValue$ = [4, n0, _RDCSAV,
    0,
    [_aI],
    [64 | 0]
];
var RdsDbSnapshotAttributeValue$ = [4, n0, _RDSAV,
    0,
    [_aI],
    [64 | 0]
];
var RecommendedStep$ = [4, n0, _RSe,
    0,
    [_uPRS],
    [() => UnusedPermissionsRecommendedStep$]
];
var ApplyArchiveRule$ = [9, n0, _AAR,
    { [_h]: ["PUT", "/archive-rule", 200] }, () => ApplyArchiveRuleRequest$, () => __Unit
];
var CancelPolicyGeneration$ = [9, n0, _CPG,
    { [_h]: ["PUT", "/policy/generation/{jobId}", 200] }, () => CancelPolicyGenerationRequest$, () => CancelPolicyGenerationResponse$
];
var CheckAccessNotGranted$ = [9, n0, _CANG,
    { [_h]: ["POST", "/policy/check-access-not-granted", 200] }, () => CheckAccessNotGrantedRequest$, () => CheckAccessNotGrantedResponse$
];
var CheckNoNewAccess$ = [9, n0, _CNNA,
    { [_h]: ["POST", "/policy/check-no-new-access", 200] }, () => CheckNoNewAccessRequest$, () => CheckNoNewAccessResponse$
];
var CheckNoPublicAccess$ = [9, n0, _CNPA,
    { [_h]: ["POST", "/policy/check-no-public-access", 200] }, () => CheckNoPublicAccessRequest$, () => CheckNoPublicAccessResponse$
];
var CreateAccessPreview$ = [9, n0, _CAP,
    { [_h]: ["PUT", "/access-preview", 200] }, () => CreateAccessPreviewRequest$, () => CreateAccessPreviewResponse$
];
var CreateAnalyzer$ = [9, n0, _CA,
    { [_h]: ["PUT", "/analyzer", 200] }, () => CreateAnalyzerRequest$, () => CreateAnalyzerResponse$
];
var CreateArchiveRule$ = [9, n0, _CARre,
    { [_h]: ["PUT", "/analyzer/{analyzerName}/archive-rule", 200] }, () => CreateArchiveRuleRequest$, () => __Unit
];
var CreateServiceLinkedAnalyzer$ = [9, n0, _CSLA,
    { [_h]: ["PUT", "/service-linked-analyzer", 200] }, () => CreateServiceLinkedAnalyzerRequest$, () => CreateServiceLinkedAnalyzerResponse$
];
var DeleteAnalyzer$ = [9, n0, _DA,
    { [_h]: ["DELETE", "/analyzer/{analyzerName}", 200] }, () => DeleteAnalyzerRequest$, () => __Unit
];
var DeleteArchiveRule$ = [9, n0, _DARe,
    { [_h]: ["DELETE", "/analyzer/{analyzerName}/archive-rule/{ruleName}", 200] }, () => DeleteArchiveRuleRequest$, () => __Unit
];
var DeleteServiceLinkedAnalyzer$ = [9, n0, _DSLA,
    { [_h]: ["DELETE", "/service-linked-analyzer/{analyzerName}", 200] }, () => DeleteServiceLinkedAnalyzerRequest$, () => __Unit
];
var GenerateFindingRecommendation$ = [9, n0, _GFRen,
    { [_h]: ["POST", "/recommendation/{id}", 200] }, () => GenerateFindingRecommendationRequest$, () => __Unit
];
var GetAccessPreview$ = [9, n0, _GAP,
    { [_h]: ["GET", "/access-preview/{accessPreviewId}", 200] }, () => GetAccessPreviewRequest$, () => GetAccessPreviewResponse$
];
var GetAnalyzedResource$ = [9, n0, _GARet,
    { [_h]: ["GET", "/analyzed-resource", 200] }, () => GetAnalyzedResourceRequest$, () => GetAnalyzedResourceResponse$
];
var GetAnalyzer$ = [9, n0, _GA,
    { [_h]: ["GET", "/analyzer/{analyzerName}", 200] }, () => GetAnalyzerRequest$, () => GetAnalyzerResponse$
];
var GetArchiveRule$ = [9, n0, _GARetr,
    { [_h]: ["GET", "/analyzer/{analyzerName}/archive-rule/{ruleName}", 200] }, () => GetArchiveRuleRequest$, () => GetArchiveRuleResponse$
];
var GetFinding$ = [9, n0, _GF,
    { [_h]: ["GET", "/finding/{id}", 200] }, () => GetFindingRequest$, () => GetFindingResponse$
];
var GetFindingRecommendation$ = [9, n0, _GFRet,
    { [_h]: ["GET", "/recommendation/{id}", 200] }, () => GetFindingRecommendationRequest$, () => GetFindingRecommendationResponse$
];
var GetFindingsStatistics$ = [9, n0, _GFS,
    { [_h]: ["POST", "/analyzer/findings/statistics", 200] }, () => GetFindingsStatisticsRequest$, () => GetFindingsStatisticsResponse$
];
var GetFindingV2$ = [9, n0, _GFV,
    { [_h]: ["GET", "/findingv2/{id}", 200] }, () => GetFindingV2Request$, () => GetFindingV2Response$
];
var GetGeneratedPolicy$ = [9, n0, _GGP,
    { [_h]: ["GET", "/policy/generation/{jobId}", 200] }, () => GetGeneratedPolicyRequest$, () => GetGeneratedPolicyResponse$
];
var ListAccessPreviewFindings$ = [9, n0, _LAPF,
    { [_h]: ["POST", "/access-preview/{accessPreviewId}", 200] }, () => ListAccessPreviewFindingsRequest$, () => ListAccessPreviewFindingsResponse$
];
var ListAccessPreviews$ = [9, n0, _LAP,
    { [_h]: ["GET", "/access-preview", 200] }, () => ListAccessPreviewsRequest$, () => ListAccessPreviewsResponse$
];
var ListAnalyzedResources$ = [9, n0, _LARis,
    { [_h]: ["POST", "/analyzed-resource", 200] }, () => ListAnalyzedResourcesRequest$, () => ListAnalyzedResourcesResponse$
];
var ListAnalyzers$ = [9, n0, _LA,
    { [_h]: ["GET", "/analyzer", 200] }, () => ListAnalyzersRequest$, () => ListAnalyzersResponse$
];
var ListArchiveRules$ = [9, n0, _LARist,
    { [_h]: ["GET", "/analyzer/{analyzerName}/archive-rule", 200] }, () => ListArchiveRulesRequest$, () => ListArchiveRulesResponse$
];
var ListFindings$ = [9, n0, _LF,
    { [_h]: ["POST", "/finding", 200] }, () => ListFindingsRequest$, () => ListFindingsResponse$
];
var ListFindingsV2$ = [9, n0, _LFV,
    { [_h]: ["POST", "/findingv2", 200] }, () => ListFindingsV2Request$, () => ListFindingsV2Response$
];
var ListPolicyGenerations$ = [9, n0, _LPG,
    { [_h]: ["GET", "/policy/generation", 200] }, () => ListPolicyGenerationsRequest$, () => ListPolicyGenerationsResponse$
];
var ListTagsForResource$ = [9, n0, _LTFR,
    { [_h]: ["GET", "/tags/{resourceArn}", 200] }, () => ListTagsForResourceRequest$, () => ListTagsForResourceResponse$
];
var StartPolicyGeneration$ = [9, n0, _SPG,
    { [_h]: ["PUT", "/policy/generation", 200] }, () => StartPolicyGenerationRequest$, () => StartPolicyGenerationResponse$
];
var StartResourceScan$ = [9, n0, _SRS,
    { [_h]: ["POST", "/resource/scan", 200] }, () => StartResourceScanRequest$, () => __Unit
];
var TagResource$ = [9, n0, _TR,
    { [_h]: ["POST", "/tags/{resourceArn}", 200] }, () => TagResourceRequest$, () => TagResourceResponse$
];
var UntagResource$ = [9, n0, _UR,
    { [_h]: ["DELETE", "/tags/{resourceArn}", 200] }, () => UntagResourceRequest$, () => UntagResourceResponse$
];
var UpdateAnalyzer$ = [9, n0, _UAp,
    { [_h]: ["PUT", "/analyzer/{analyzerName}", 200] }, () => UpdateAnalyzerRequest$, () => UpdateAnalyzerResponse$
];
var UpdateArchiveRule$ = [9, n0, _UARpd,
    { [_h]: ["PUT", "/analyzer/{analyzerName}/archive-rule/{ruleName}", 200] }, () => UpdateArchiveRuleRequest$, () => __Unit
];
var UpdateFindings$ = [9, n0, _UF,
    { [_h]: ["PUT", "/finding", 200] }, () => UpdateFindingsRequest$, () => __Unit
];
var ValidatePolicy$ = [9, n0, _VP,
    { [_h]: ["POST", "/policy/validation", 200] }, () => ValidatePolicyRequest$, () => ValidatePolicyResponse$
];

const getRuntimeConfig$1 = (config) => {
    return {
        apiVersion: "2019-11-01",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultAccessAnalyzerHttpAuthSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? AwsRestJsonProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.accessanalyzer",
            errorTypeRegistries,
            version: "2019-11-01",
            serviceTarget: "AccessAnalyzer",
        },
        serviceId: config?.serviceId ?? "AccessAnalyzer",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};

const getRuntimeConfig = (config) => {
    emitWarningIfUnsupportedVersion(process.version);
    const defaultsMode = resolveDefaultsModeConfig(config);
    const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
    const clientSharedValues = getRuntimeConfig$1(config);
    emitWarningIfUnsupportedVersion$1(process.version);
    const loaderConfig = {
        profile: config?.profile,
        logger: clientSharedValues.logger,
    };
    return {
        ...clientSharedValues,
        ...config,
        runtime: "node",
        defaultsMode,
        authSchemePreference: config?.authSchemePreference ?? loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
        bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
        credentialDefaultProvider: config?.credentialDefaultProvider ?? defaultProvider,
        defaultUserAgentProvider: config?.defaultUserAgentProvider ?? createDefaultUserAgentProvider({ serviceId: clientSharedValues.serviceId, clientVersion: packageInfo.version }),
        maxAttempts: config?.maxAttempts ?? loadConfig(NODE_MAX_ATTEMPT_CONFIG_OPTIONS, config),
        region: config?.region ?? loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
        requestHandler: NodeHttpHandler.create(config?.requestHandler ?? defaultConfigProvider),
        retryMode: config?.retryMode ??
            loadConfig({
                ...NODE_RETRY_MODE_CONFIG_OPTIONS,
                default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
            }, config),
        streamCollector: config?.streamCollector ?? streamCollector,
        useDualstackEndpoint: config?.useDualstackEndpoint ?? loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        useFipsEndpoint: config?.useFipsEndpoint ?? loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
        userAgentAppId: config?.userAgentAppId ?? loadConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
    };
};

const getHttpAuthExtensionConfiguration = (runtimeConfig) => {
    const _httpAuthSchemes = runtimeConfig.httpAuthSchemes;
    let _httpAuthSchemeProvider = runtimeConfig.httpAuthSchemeProvider;
    let _credentials = runtimeConfig.credentials;
    return {
        setHttpAuthScheme(httpAuthScheme) {
            const index = _httpAuthSchemes.findIndex((scheme) => scheme.schemeId === httpAuthScheme.schemeId);
            if (index === -1) {
                _httpAuthSchemes.push(httpAuthScheme);
            }
            else {
                _httpAuthSchemes.splice(index, 1, httpAuthScheme);
            }
        },
        httpAuthSchemes() {
            return _httpAuthSchemes;
        },
        setHttpAuthSchemeProvider(httpAuthSchemeProvider) {
            _httpAuthSchemeProvider = httpAuthSchemeProvider;
        },
        httpAuthSchemeProvider() {
            return _httpAuthSchemeProvider;
        },
        setCredentials(credentials) {
            _credentials = credentials;
        },
        credentials() {
            return _credentials;
        },
    };
};
const resolveHttpAuthRuntimeConfig = (config) => {
    return {
        httpAuthSchemes: config.httpAuthSchemes(),
        httpAuthSchemeProvider: config.httpAuthSchemeProvider(),
        credentials: config.credentials(),
    };
};

const resolveRuntimeExtensions = (runtimeConfig, extensions) => {
    const extensionConfiguration = Object.assign(getAwsRegionExtensionConfiguration(runtimeConfig), getDefaultExtensionConfiguration(runtimeConfig), getHttpHandlerExtensionConfiguration(runtimeConfig), getHttpAuthExtensionConfiguration(runtimeConfig));
    extensions.forEach((extension) => extension.configure(extensionConfiguration));
    return Object.assign(runtimeConfig, resolveAwsRegionExtensionConfiguration(extensionConfiguration), resolveDefaultRuntimeConfig(extensionConfiguration), resolveHttpHandlerRuntimeConfig(extensionConfiguration), resolveHttpAuthRuntimeConfig(extensionConfiguration));
};

class AccessAnalyzerClient extends Client {
    config;
    constructor(...[configuration]) {
        const _config_0 = getRuntimeConfig(configuration || {});
        super(_config_0);
        this.initConfig = _config_0;
        const _config_1 = resolveClientEndpointParameters(_config_0);
        const _config_2 = resolveUserAgentConfig(_config_1);
        const _config_3 = resolveRetryConfig(_config_2);
        const _config_4 = resolveRegionConfig(_config_3);
        const _config_5 = resolveHostHeaderConfig(_config_4);
        const _config_6 = resolveEndpointConfig(_config_5);
        const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
        const _config_8 = resolveRuntimeExtensions(_config_7, configuration?.extensions || []);
        this.config = _config_8;
        this.middlewareStack.use(getSchemaSerdePlugin(this.config));
        this.middlewareStack.use(getUserAgentPlugin(this.config));
        this.middlewareStack.use(getRetryPlugin(this.config));
        this.middlewareStack.use(getContentLengthPlugin(this.config));
        this.middlewareStack.use(getHostHeaderPlugin(this.config));
        this.middlewareStack.use(getLoggerPlugin(this.config));
        this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
        this.middlewareStack.use(getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
            httpAuthSchemeParametersProvider: defaultAccessAnalyzerHttpAuthSchemeParametersProvider,
            identityProviderConfigProvider: async (config) => new DefaultIdentityProviderConfig({
                "aws.auth#sigv4": config.credentials,
            }),
        }));
        this.middlewareStack.use(getHttpSigningPlugin(this.config));
    }
    destroy() {
        super.destroy();
    }
}

const command = makeBuilder(commonParams, "AccessAnalyzer", "AccessAnalyzerClient", getEndpointPlugin);
const _ep0 = {};
const _mw0 = (Command, cs, config, o) => [];

class ApplyArchiveRuleCommand extends command(_ep0, _mw0, "ApplyArchiveRule", ApplyArchiveRule$) {
}

class CancelPolicyGenerationCommand extends command(_ep0, _mw0, "CancelPolicyGeneration", CancelPolicyGeneration$) {
}

class CheckAccessNotGrantedCommand extends command(_ep0, _mw0, "CheckAccessNotGranted", CheckAccessNotGranted$) {
}

class CheckNoNewAccessCommand extends command(_ep0, _mw0, "CheckNoNewAccess", CheckNoNewAccess$) {
}

class CheckNoPublicAccessCommand extends command(_ep0, _mw0, "CheckNoPublicAccess", CheckNoPublicAccess$) {
}

class CreateAccessPreviewCommand extends command(_ep0, _mw0, "CreateAccessPreview", CreateAccessPreview$) {
}

class CreateAnalyzerCommand extends command(_ep0, _mw0, "CreateAnalyzer", CreateAnalyzer$) {
}

class CreateArchiveRuleCommand extends command(_ep0, _mw0, "CreateArchiveRule", CreateArchiveRule$) {
}

class CreateServiceLinkedAnalyzerCommand extends command(_ep0, _mw0, "CreateServiceLinkedAnalyzer", CreateServiceLinkedAnalyzer$) {
}

class DeleteAnalyzerCommand extends command(_ep0, _mw0, "DeleteAnalyzer", DeleteAnalyzer$) {
}

class DeleteArchiveRuleCommand extends command(_ep0, _mw0, "DeleteArchiveRule", DeleteArchiveRule$) {
}

class DeleteServiceLinkedAnalyzerCommand extends command(_ep0, _mw0, "DeleteServiceLinkedAnalyzer", DeleteServiceLinkedAnalyzer$) {
}

class GenerateFindingRecommendationCommand extends command(_ep0, _mw0, "GenerateFindingRecommendation", GenerateFindingRecommendation$) {
}

class GetAccessPreviewCommand extends command(_ep0, _mw0, "GetAccessPreview", GetAccessPreview$) {
}

class GetAnalyzedResourceCommand extends command(_ep0, _mw0, "GetAnalyzedResource", GetAnalyzedResource$) {
}

class GetAnalyzerCommand extends command(_ep0, _mw0, "GetAnalyzer", GetAnalyzer$) {
}

class GetArchiveRuleCommand extends command(_ep0, _mw0, "GetArchiveRule", GetArchiveRule$) {
}

class GetFindingCommand extends command(_ep0, _mw0, "GetFinding", GetFinding$) {
}

class GetFindingRecommendationCommand extends command(_ep0, _mw0, "GetFindingRecommendation", GetFindingRecommendation$) {
}

class GetFindingsStatisticsCommand extends command(_ep0, _mw0, "GetFindingsStatistics", GetFindingsStatistics$) {
}

class GetFindingV2Command extends command(_ep0, _mw0, "GetFindingV2", GetFindingV2$) {
}

class GetGeneratedPolicyCommand extends command(_ep0, _mw0, "GetGeneratedPolicy", GetGeneratedPolicy$) {
}

class ListAccessPreviewFindingsCommand extends command(_ep0, _mw0, "ListAccessPreviewFindings", ListAccessPreviewFindings$) {
}

class ListAccessPreviewsCommand extends command(_ep0, _mw0, "ListAccessPreviews", ListAccessPreviews$) {
}

class ListAnalyzedResourcesCommand extends command(_ep0, _mw0, "ListAnalyzedResources", ListAnalyzedResources$) {
}

class ListAnalyzersCommand extends command(_ep0, _mw0, "ListAnalyzers", ListAnalyzers$) {
}

class ListArchiveRulesCommand extends command(_ep0, _mw0, "ListArchiveRules", ListArchiveRules$) {
}

class ListFindingsCommand extends command(_ep0, _mw0, "ListFindings", ListFindings$) {
}

class ListFindingsV2Command extends command(_ep0, _mw0, "ListFindingsV2", ListFindingsV2$) {
}

class ListPolicyGenerationsCommand extends command(_ep0, _mw0, "ListPolicyGenerations", ListPolicyGenerations$) {
}

class ListTagsForResourceCommand extends command(_ep0, _mw0, "ListTagsForResource", ListTagsForResource$) {
}

class StartPolicyGenerationCommand extends command(_ep0, _mw0, "StartPolicyGeneration", StartPolicyGeneration$) {
}

class StartResourceScanCommand extends command(_ep0, _mw0, "StartResourceScan", StartResourceScan$) {
}

class TagResourceCommand extends command(_ep0, _mw0, "TagResource", TagResource$) {
}

class UntagResourceCommand extends command(_ep0, _mw0, "UntagResource", UntagResource$) {
}

class UpdateAnalyzerCommand extends command(_ep0, _mw0, "UpdateAnalyzer", UpdateAnalyzer$) {
}

class UpdateArchiveRuleCommand extends command(_ep0, _mw0, "UpdateArchiveRule", UpdateArchiveRule$) {
}

class UpdateFindingsCommand extends command(_ep0, _mw0, "UpdateFindings", UpdateFindings$) {
}

class ValidatePolicyCommand extends command(_ep0, _mw0, "ValidatePolicy", ValidatePolicy$) {
}

const paginateGetFindingRecommendation = createPaginator(AccessAnalyzerClient, GetFindingRecommendationCommand, "nextToken", "nextToken", "maxResults");

const paginateGetFindingV2 = createPaginator(AccessAnalyzerClient, GetFindingV2Command, "nextToken", "nextToken", "maxResults");

const paginateListAccessPreviewFindings = createPaginator(AccessAnalyzerClient, ListAccessPreviewFindingsCommand, "nextToken", "nextToken", "maxResults");

const paginateListAccessPreviews = createPaginator(AccessAnalyzerClient, ListAccessPreviewsCommand, "nextToken", "nextToken", "maxResults");

const paginateListAnalyzedResources = createPaginator(AccessAnalyzerClient, ListAnalyzedResourcesCommand, "nextToken", "nextToken", "maxResults");

const paginateListAnalyzers = createPaginator(AccessAnalyzerClient, ListAnalyzersCommand, "nextToken", "nextToken", "maxResults");

const paginateListArchiveRules = createPaginator(AccessAnalyzerClient, ListArchiveRulesCommand, "nextToken", "nextToken", "maxResults");

const paginateListFindings = createPaginator(AccessAnalyzerClient, ListFindingsCommand, "nextToken", "nextToken", "maxResults");

const paginateListFindingsV2 = createPaginator(AccessAnalyzerClient, ListFindingsV2Command, "nextToken", "nextToken", "maxResults");

const paginateListPolicyGenerations = createPaginator(AccessAnalyzerClient, ListPolicyGenerationsCommand, "nextToken", "nextToken", "maxResults");

const paginateValidatePolicy = createPaginator(AccessAnalyzerClient, ValidatePolicyCommand, "nextToken", "nextToken", "maxResults");

const commands = {
    ApplyArchiveRuleCommand,
    CancelPolicyGenerationCommand,
    CheckAccessNotGrantedCommand,
    CheckNoNewAccessCommand,
    CheckNoPublicAccessCommand,
    CreateAccessPreviewCommand,
    CreateAnalyzerCommand,
    CreateArchiveRuleCommand,
    CreateServiceLinkedAnalyzerCommand,
    DeleteAnalyzerCommand,
    DeleteArchiveRuleCommand,
    DeleteServiceLinkedAnalyzerCommand,
    GenerateFindingRecommendationCommand,
    GetAccessPreviewCommand,
    GetAnalyzedResourceCommand,
    GetAnalyzerCommand,
    GetArchiveRuleCommand,
    GetFindingCommand,
    GetFindingRecommendationCommand,
    GetFindingsStatisticsCommand,
    GetFindingV2Command,
    GetGeneratedPolicyCommand,
    ListAccessPreviewFindingsCommand,
    ListAccessPreviewsCommand,
    ListAnalyzedResourcesCommand,
    ListAnalyzersCommand,
    ListArchiveRulesCommand,
    ListFindingsCommand,
    ListFindingsV2Command,
    ListPolicyGenerationsCommand,
    ListTagsForResourceCommand,
    StartPolicyGenerationCommand,
    StartResourceScanCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateAnalyzerCommand,
    UpdateArchiveRuleCommand,
    UpdateFindingsCommand,
    ValidatePolicyCommand,
};
const paginators = {
    paginateGetFindingRecommendation,
    paginateGetFindingV2,
    paginateListAccessPreviewFindings,
    paginateListAccessPreviews,
    paginateListAnalyzedResources,
    paginateListAnalyzers,
    paginateListArchiveRules,
    paginateListFindings,
    paginateListFindingsV2,
    paginateListPolicyGenerations,
    paginateValidatePolicy,
};
class AccessAnalyzer extends AccessAnalyzerClient {
}
createAggregatedClient(commands, AccessAnalyzer, { paginators });

const ValidationExceptionReason = {
    CANNOT_PARSE: "cannotParse",
    FIELD_VALIDATION_FAILED: "fieldValidationFailed",
    NOT_SUPPORTED: "notSupported",
    OTHER: "other",
    UNKNOWN_OPERATION: "unknownOperation",
};
const ResourceType = {
    AWS_DYNAMODB_STREAM: "AWS::DynamoDB::Stream",
    AWS_DYNAMODB_TABLE: "AWS::DynamoDB::Table",
    AWS_EC2_SNAPSHOT: "AWS::EC2::Snapshot",
    AWS_ECR_REPOSITORY: "AWS::ECR::Repository",
    AWS_EFS_FILESYSTEM: "AWS::EFS::FileSystem",
    AWS_IAM_ROLE: "AWS::IAM::Role",
    AWS_IAM_USER: "AWS::IAM::User",
    AWS_KMS_KEY: "AWS::KMS::Key",
    AWS_LAMBDA_FUNCTION: "AWS::Lambda::Function",
    AWS_LAMBDA_LAYERVERSION: "AWS::Lambda::LayerVersion",
    AWS_RDS_DBCLUSTERSNAPSHOT: "AWS::RDS::DBClusterSnapshot",
    AWS_RDS_DBSNAPSHOT: "AWS::RDS::DBSnapshot",
    AWS_S3EXPRESS_DIRECTORYBUCKET: "AWS::S3Express::DirectoryBucket",
    AWS_S3_BUCKET: "AWS::S3::Bucket",
    AWS_SECRETSMANAGER_SECRET: "AWS::SecretsManager::Secret",
    AWS_SNS_TOPIC: "AWS::SNS::Topic",
    AWS_SQS_QUEUE: "AWS::SQS::Queue",
};
const Type = {
    ACCOUNT: "ACCOUNT",
    ACCOUNT_INTERNAL_ACCESS: "ACCOUNT_INTERNAL_ACCESS",
    ACCOUNT_UNUSED_ACCESS: "ACCOUNT_UNUSED_ACCESS",
    ORGANIZATION: "ORGANIZATION",
    ORGANIZATION_INTERNAL_ACCESS: "ORGANIZATION_INTERNAL_ACCESS",
    ORGANIZATION_UNUSED_ACCESS: "ORGANIZATION_UNUSED_ACCESS",
};
const AnalyzerStatus = {
    ACTIVE: "ACTIVE",
    CREATING: "CREATING",
    DISABLED: "DISABLED",
    FAILED: "FAILED",
};
const ReasonCode = {
    AWS_SERVICE_ACCESS_DISABLED: "AWS_SERVICE_ACCESS_DISABLED",
    DELEGATED_ADMINISTRATOR_DEREGISTERED: "DELEGATED_ADMINISTRATOR_DEREGISTERED",
    ORGANIZATION_DELETED: "ORGANIZATION_DELETED",
    SERVICE_LINKED_ROLE_CREATION_FAILED: "SERVICE_LINKED_ROLE_CREATION_FAILED",
};
const AccessCheckPolicyType = {
    IDENTITY_POLICY: "IDENTITY_POLICY",
    RESOURCE_POLICY: "RESOURCE_POLICY",
};
const CheckAccessNotGrantedResult = {
    FAIL: "FAIL",
    PASS: "PASS",
};
const CheckNoNewAccessResult = {
    FAIL: "FAIL",
    PASS: "PASS",
};
const AccessCheckResourceType = {
    API_GATEWAY_REST_API: "AWS::ApiGateway::RestApi",
    BACKUP_VAULT: "AWS::Backup::BackupVault",
    CLOUDTRAIL_DASHBOARD: "AWS::CloudTrail::Dashboard",
    CLOUDTRAIL_EVENT_DATA_STORE: "AWS::CloudTrail::EventDataStore",
    CODE_ARTIFACT_DOMAIN: "AWS::CodeArtifact::Domain",
    DYNAMODB_STREAM: "AWS::DynamoDB::Stream",
    DYNAMODB_TABLE: "AWS::DynamoDB::Table",
    EFS_FILESYSTEM: "AWS::EFS::FileSystem",
    KINESIS_DATA_STREAM: "AWS::Kinesis::Stream",
    KINESIS_STREAM_CONSUMER: "AWS::Kinesis::StreamConsumer",
    KMS_KEY: "AWS::KMS::Key",
    LAMBDA_FUNCTION: "AWS::Lambda::Function",
    OPENSEARCHSERVICE_DOMAIN: "AWS::OpenSearchService::Domain",
    ROLE_TRUST: "AWS::IAM::AssumeRolePolicyDocument",
    S3EXPRESS_DIRECTORYBUCKET: "AWS::S3Express::DirectoryBucket",
    S3_ACCESS_POINT: "AWS::S3::AccessPoint",
    S3_BUCKET: "AWS::S3::Bucket",
    S3_EXPRESS_ACCESS_POINT: "AWS::S3Express::AccessPoint",
    S3_GLACIER: "AWS::S3::Glacier",
    S3_OUTPOSTS_ACCESS_POINT: "AWS::S3Outposts::AccessPoint",
    S3_OUTPOSTS_BUCKET: "AWS::S3Outposts::Bucket",
    S3_TABLE: "AWS::S3Tables::Table",
    S3_TABLE_BUCKET: "AWS::S3Tables::TableBucket",
    SECRETSMANAGER_SECRET: "AWS::SecretsManager::Secret",
    SNS_TOPIC: "AWS::SNS::Topic",
    SQS_QUEUE: "AWS::SQS::Queue",
};
const CheckNoPublicAccessResult = {
    FAIL: "FAIL",
    PASS: "PASS",
};
const KmsGrantOperation = {
    CREATE_GRANT: "CreateGrant",
    DECRYPT: "Decrypt",
    DESCRIBE_KEY: "DescribeKey",
    ENCRYPT: "Encrypt",
    GENERATE_DATA_KEY: "GenerateDataKey",
    GENERATE_DATA_KEY_PAIR: "GenerateDataKeyPair",
    GENERATE_DATA_KEY_PAIR_WITHOUT_PLAINTEXT: "GenerateDataKeyPairWithoutPlaintext",
    GENERATE_DATA_KEY_WITHOUT_PLAINTEXT: "GenerateDataKeyWithoutPlaintext",
    GET_PUBLIC_KEY: "GetPublicKey",
    REENCRYPT_FROM: "ReEncryptFrom",
    REENCRYPT_TO: "ReEncryptTo",
    RETIRE_GRANT: "RetireGrant",
    SIGN: "Sign",
    VERIFY: "Verify",
};
const AclPermission = {
    FULL_CONTROL: "FULL_CONTROL",
    READ: "READ",
    READ_ACP: "READ_ACP",
    WRITE: "WRITE",
    WRITE_ACP: "WRITE_ACP",
};
const AccessPreviewStatus = {
    COMPLETED: "COMPLETED",
    CREATING: "CREATING",
    FAILED: "FAILED",
};
const AccessPreviewStatusReasonCode = {
    INTERNAL_ERROR: "INTERNAL_ERROR",
    INVALID_CONFIGURATION: "INVALID_CONFIGURATION",
};
const FindingStatus = {
    ACTIVE: "ACTIVE",
    ARCHIVED: "ARCHIVED",
    RESOLVED: "RESOLVED",
};
const ResourceControlPolicyRestriction = {
    APPLICABLE: "APPLICABLE",
    APPLIED: "APPLIED",
    FAILED_TO_EVALUATE_RCP: "FAILED_TO_EVALUATE_RCP",
    NOT_APPLICABLE: "NOT_APPLICABLE",
};
const FindingSourceType = {
    BUCKET_ACL: "BUCKET_ACL",
    POLICY: "POLICY",
    S3_ACCESS_POINT: "S3_ACCESS_POINT",
    S3_ACCESS_POINT_ACCOUNT: "S3_ACCESS_POINT_ACCOUNT",
};
const RecommendationType = {
    UNUSED_PERMISSION_RECOMMENDATION: "UnusedPermissionRecommendation",
};
const RecommendedRemediationAction = {
    CREATE_POLICY: "CREATE_POLICY",
    DETACH_POLICY: "DETACH_POLICY",
};
const Status = {
    FAILED: "FAILED",
    IN_PROGRESS: "IN_PROGRESS",
    SUCCEEDED: "SUCCEEDED",
};
const InternalAccessType = {
    INTRA_ACCOUNT: "INTRA_ACCOUNT",
    INTRA_ORG: "INTRA_ORG",
};
const PrincipalType = {
    IAM_ROLE: "IAM_ROLE",
    IAM_USER: "IAM_USER",
};
const ServiceControlPolicyRestriction = {
    APPLICABLE: "APPLICABLE",
    APPLIED: "APPLIED",
    FAILED_TO_EVALUATE_SCP: "FAILED_TO_EVALUATE_SCP",
    NOT_APPLICABLE: "NOT_APPLICABLE",
};
const FindingType = {
    EXTERNAL_ACCESS: "ExternalAccess",
    INTERNAL_ACCESS: "InternalAccess",
    UNUSED_IAM_ROLE: "UnusedIAMRole",
    UNUSED_IAM_USER_ACCESS_KEY: "UnusedIAMUserAccessKey",
    UNUSED_IAM_USER_PASSWORD: "UnusedIAMUserPassword",
    UNUSED_PERMISSION: "UnusedPermission",
};
const JobErrorCode = {
    AUTHORIZATION_ERROR: "AUTHORIZATION_ERROR",
    RESOURCE_NOT_FOUND_ERROR: "RESOURCE_NOT_FOUND_ERROR",
    SERVICE_ERROR: "SERVICE_ERROR",
    SERVICE_QUOTA_EXCEEDED_ERROR: "SERVICE_QUOTA_EXCEEDED_ERROR",
};
const JobStatus = {
    CANCELED: "CANCELED",
    FAILED: "FAILED",
    IN_PROGRESS: "IN_PROGRESS",
    SUCCEEDED: "SUCCEEDED",
};
const FindingChangeType = {
    CHANGED: "CHANGED",
    NEW: "NEW",
    UNCHANGED: "UNCHANGED",
};
const OrderBy = {
    ASC: "ASC",
    DESC: "DESC",
};
const FindingStatusUpdate = {
    ACTIVE: "ACTIVE",
    ARCHIVED: "ARCHIVED",
};
const Locale = {
    DE: "DE",
    EN: "EN",
    ES: "ES",
    FR: "FR",
    IT: "IT",
    JA: "JA",
    KO: "KO",
    PT_BR: "PT_BR",
    ZH_CN: "ZH_CN",
    ZH_TW: "ZH_TW",
};
const PolicyType = {
    IDENTITY_POLICY: "IDENTITY_POLICY",
    RESOURCE_CONTROL_POLICY: "RESOURCE_CONTROL_POLICY",
    RESOURCE_POLICY: "RESOURCE_POLICY",
    SERVICE_CONTROL_POLICY: "SERVICE_CONTROL_POLICY",
};
const ValidatePolicyResourceType = {
    DYNAMODB_TABLE: "AWS::DynamoDB::Table",
    ROLE_TRUST: "AWS::IAM::AssumeRolePolicyDocument",
    S3_ACCESS_POINT: "AWS::S3::AccessPoint",
    S3_BUCKET: "AWS::S3::Bucket",
    S3_MULTI_REGION_ACCESS_POINT: "AWS::S3::MultiRegionAccessPoint",
    S3_OBJECT_LAMBDA_ACCESS_POINT: "AWS::S3ObjectLambda::AccessPoint",
};
const ValidatePolicyFindingType = {
    ERROR: "ERROR",
    SECURITY_WARNING: "SECURITY_WARNING",
    SUGGESTION: "SUGGESTION",
    WARNING: "WARNING",
};

exports.Access$ = Access$;
exports.AccessAnalyzer = AccessAnalyzer;
exports.AccessAnalyzerClient = AccessAnalyzerClient;
exports.AccessAnalyzerServiceException = AccessAnalyzerServiceException;
exports.AccessAnalyzerServiceException$ = AccessAnalyzerServiceException$;
exports.AccessCheckPolicyType = AccessCheckPolicyType;
exports.AccessCheckResourceType = AccessCheckResourceType;
exports.AccessDeniedException = AccessDeniedException;
exports.AccessDeniedException$ = AccessDeniedException$;
exports.AccessPreview$ = AccessPreview$;
exports.AccessPreviewFinding$ = AccessPreviewFinding$;
exports.AccessPreviewStatus = AccessPreviewStatus;
exports.AccessPreviewStatusReason$ = AccessPreviewStatusReason$;
exports.AccessPreviewStatusReasonCode = AccessPreviewStatusReasonCode;
exports.AccessPreviewSummary$ = AccessPreviewSummary$;
exports.AclGrantee$ = AclGrantee$;
exports.AclPermission = AclPermission;
exports.AnalysisRule$ = AnalysisRule$;
exports.AnalysisRuleCriteria$ = AnalysisRuleCriteria$;
exports.AnalyzedResource$ = AnalyzedResource$;
exports.AnalyzedResourceSummary$ = AnalyzedResourceSummary$;
exports.AnalyzerConfiguration$ = AnalyzerConfiguration$;
exports.AnalyzerStatus = AnalyzerStatus;
exports.AnalyzerSummary$ = AnalyzerSummary$;
exports.ApplyArchiveRule$ = ApplyArchiveRule$;
exports.ApplyArchiveRuleCommand = ApplyArchiveRuleCommand;
exports.ApplyArchiveRuleRequest$ = ApplyArchiveRuleRequest$;
exports.ArchiveRuleSummary$ = ArchiveRuleSummary$;
exports.CancelPolicyGeneration$ = CancelPolicyGeneration$;
exports.CancelPolicyGenerationCommand = CancelPolicyGenerationCommand;
exports.CancelPolicyGenerationRequest$ = CancelPolicyGenerationRequest$;
exports.CancelPolicyGenerationResponse$ = CancelPolicyGenerationResponse$;
exports.CheckAccessNotGranted$ = CheckAccessNotGranted$;
exports.CheckAccessNotGrantedCommand = CheckAccessNotGrantedCommand;
exports.CheckAccessNotGrantedRequest$ = CheckAccessNotGrantedRequest$;
exports.CheckAccessNotGrantedResponse$ = CheckAccessNotGrantedResponse$;
exports.CheckAccessNotGrantedResult = CheckAccessNotGrantedResult;
exports.CheckNoNewAccess$ = CheckNoNewAccess$;
exports.CheckNoNewAccessCommand = CheckNoNewAccessCommand;
exports.CheckNoNewAccessRequest$ = CheckNoNewAccessRequest$;
exports.CheckNoNewAccessResponse$ = CheckNoNewAccessResponse$;
exports.CheckNoNewAccessResult = CheckNoNewAccessResult;
exports.CheckNoPublicAccess$ = CheckNoPublicAccess$;
exports.CheckNoPublicAccessCommand = CheckNoPublicAccessCommand;
exports.CheckNoPublicAccessRequest$ = CheckNoPublicAccessRequest$;
exports.CheckNoPublicAccessResponse$ = CheckNoPublicAccessResponse$;
exports.CheckNoPublicAccessResult = CheckNoPublicAccessResult;
exports.CloudTrailDetails$ = CloudTrailDetails$;
exports.CloudTrailProperties$ = CloudTrailProperties$;
exports.Configuration$ = Configuration$;
exports.ConflictException = ConflictException;
exports.ConflictException$ = ConflictException$;
exports.CreateAccessPreview$ = CreateAccessPreview$;
exports.CreateAccessPreviewCommand = CreateAccessPreviewCommand;
exports.CreateAccessPreviewRequest$ = CreateAccessPreviewRequest$;
exports.CreateAccessPreviewResponse$ = CreateAccessPreviewResponse$;
exports.CreateAnalyzer$ = CreateAnalyzer$;
exports.CreateAnalyzerCommand = CreateAnalyzerCommand;
exports.CreateAnalyzerRequest$ = CreateAnalyzerRequest$;
exports.CreateAnalyzerResponse$ = CreateAnalyzerResponse$;
exports.CreateArchiveRule$ = CreateArchiveRule$;
exports.CreateArchiveRuleCommand = CreateArchiveRuleCommand;
exports.CreateArchiveRuleRequest$ = CreateArchiveRuleRequest$;
exports.CreateServiceLinkedAnalyzer$ = CreateServiceLinkedAnalyzer$;
exports.CreateServiceLinkedAnalyzerCommand = CreateServiceLinkedAnalyzerCommand;
exports.CreateServiceLinkedAnalyzerRequest$ = CreateServiceLinkedAnalyzerRequest$;
exports.CreateServiceLinkedAnalyzerResponse$ = CreateServiceLinkedAnalyzerResponse$;
exports.Criterion$ = Criterion$;
exports.DeleteAnalyzer$ = DeleteAnalyzer$;
exports.DeleteAnalyzerCommand = DeleteAnalyzerCommand;
exports.DeleteAnalyzerRequest$ = DeleteAnalyzerRequest$;
exports.DeleteArchiveRule$ = DeleteArchiveRule$;
exports.DeleteArchiveRuleCommand = DeleteArchiveRuleCommand;
exports.DeleteArchiveRuleRequest$ = DeleteArchiveRuleRequest$;
exports.DeleteServiceLinkedAnalyzer$ = DeleteServiceLinkedAnalyzer$;
exports.DeleteServiceLinkedAnalyzerCommand = DeleteServiceLinkedAnalyzerCommand;
exports.DeleteServiceLinkedAnalyzerRequest$ = DeleteServiceLinkedAnalyzerRequest$;
exports.DynamodbStreamConfiguration$ = DynamodbStreamConfiguration$;
exports.DynamodbTableConfiguration$ = DynamodbTableConfiguration$;
exports.EbsSnapshotConfiguration$ = EbsSnapshotConfiguration$;
exports.EcrRepositoryConfiguration$ = EcrRepositoryConfiguration$;
exports.EfsFileSystemConfiguration$ = EfsFileSystemConfiguration$;
exports.ExternalAccessDetails$ = ExternalAccessDetails$;
exports.ExternalAccessFindingsStatistics$ = ExternalAccessFindingsStatistics$;
exports.Finding$ = Finding$;
exports.FindingAggregationAccountDetails$ = FindingAggregationAccountDetails$;
exports.FindingChangeType = FindingChangeType;
exports.FindingDetails$ = FindingDetails$;
exports.FindingSource$ = FindingSource$;
exports.FindingSourceDetail$ = FindingSourceDetail$;
exports.FindingSourceType = FindingSourceType;
exports.FindingStatus = FindingStatus;
exports.FindingStatusUpdate = FindingStatusUpdate;
exports.FindingSummary$ = FindingSummary$;
exports.FindingSummaryV2$ = FindingSummaryV2$;
exports.FindingType = FindingType;
exports.FindingsStatistics$ = FindingsStatistics$;
exports.GenerateFindingRecommendation$ = GenerateFindingRecommendation$;
exports.GenerateFindingRecommendationCommand = GenerateFindingRecommendationCommand;
exports.GenerateFindingRecommendationRequest$ = GenerateFindingRecommendationRequest$;
exports.GeneratedPolicy$ = GeneratedPolicy$;
exports.GeneratedPolicyProperties$ = GeneratedPolicyProperties$;
exports.GeneratedPolicyResult$ = GeneratedPolicyResult$;
exports.GetAccessPreview$ = GetAccessPreview$;
exports.GetAccessPreviewCommand = GetAccessPreviewCommand;
exports.GetAccessPreviewRequest$ = GetAccessPreviewRequest$;
exports.GetAccessPreviewResponse$ = GetAccessPreviewResponse$;
exports.GetAnalyzedResource$ = GetAnalyzedResource$;
exports.GetAnalyzedResourceCommand = GetAnalyzedResourceCommand;
exports.GetAnalyzedResourceRequest$ = GetAnalyzedResourceRequest$;
exports.GetAnalyzedResourceResponse$ = GetAnalyzedResourceResponse$;
exports.GetAnalyzer$ = GetAnalyzer$;
exports.GetAnalyzerCommand = GetAnalyzerCommand;
exports.GetAnalyzerRequest$ = GetAnalyzerRequest$;
exports.GetAnalyzerResponse$ = GetAnalyzerResponse$;
exports.GetArchiveRule$ = GetArchiveRule$;
exports.GetArchiveRuleCommand = GetArchiveRuleCommand;
exports.GetArchiveRuleRequest$ = GetArchiveRuleRequest$;
exports.GetArchiveRuleResponse$ = GetArchiveRuleResponse$;
exports.GetFinding$ = GetFinding$;
exports.GetFindingCommand = GetFindingCommand;
exports.GetFindingRecommendation$ = GetFindingRecommendation$;
exports.GetFindingRecommendationCommand = GetFindingRecommendationCommand;
exports.GetFindingRecommendationRequest$ = GetFindingRecommendationRequest$;
exports.GetFindingRecommendationResponse$ = GetFindingRecommendationResponse$;
exports.GetFindingRequest$ = GetFindingRequest$;
exports.GetFindingResponse$ = GetFindingResponse$;
exports.GetFindingV2$ = GetFindingV2$;
exports.GetFindingV2Command = GetFindingV2Command;
exports.GetFindingV2Request$ = GetFindingV2Request$;
exports.GetFindingV2Response$ = GetFindingV2Response$;
exports.GetFindingsStatistics$ = GetFindingsStatistics$;
exports.GetFindingsStatisticsCommand = GetFindingsStatisticsCommand;
exports.GetFindingsStatisticsRequest$ = GetFindingsStatisticsRequest$;
exports.GetFindingsStatisticsResponse$ = GetFindingsStatisticsResponse$;
exports.GetGeneratedPolicy$ = GetGeneratedPolicy$;
exports.GetGeneratedPolicyCommand = GetGeneratedPolicyCommand;
exports.GetGeneratedPolicyRequest$ = GetGeneratedPolicyRequest$;
exports.GetGeneratedPolicyResponse$ = GetGeneratedPolicyResponse$;
exports.IamRoleConfiguration$ = IamRoleConfiguration$;
exports.InlineArchiveRule$ = InlineArchiveRule$;
exports.InternalAccessAnalysisRule$ = InternalAccessAnalysisRule$;
exports.InternalAccessAnalysisRuleCriteria$ = InternalAccessAnalysisRuleCriteria$;
exports.InternalAccessConfiguration$ = InternalAccessConfiguration$;
exports.InternalAccessDetails$ = InternalAccessDetails$;
exports.InternalAccessFindingsStatistics$ = InternalAccessFindingsStatistics$;
exports.InternalAccessResourceTypeDetails$ = InternalAccessResourceTypeDetails$;
exports.InternalAccessType = InternalAccessType;
exports.InternalServerException = InternalServerException;
exports.InternalServerException$ = InternalServerException$;
exports.InternetConfiguration$ = InternetConfiguration$;
exports.InvalidParameterException = InvalidParameterException;
exports.InvalidParameterException$ = InvalidParameterException$;
exports.JobDetails$ = JobDetails$;
exports.JobError$ = JobError$;
exports.JobErrorCode = JobErrorCode;
exports.JobStatus = JobStatus;
exports.KmsGrantConfiguration$ = KmsGrantConfiguration$;
exports.KmsGrantConstraints$ = KmsGrantConstraints$;
exports.KmsGrantOperation = KmsGrantOperation;
exports.KmsKeyConfiguration$ = KmsKeyConfiguration$;
exports.ListAccessPreviewFindings$ = ListAccessPreviewFindings$;
exports.ListAccessPreviewFindingsCommand = ListAccessPreviewFindingsCommand;
exports.ListAccessPreviewFindingsRequest$ = ListAccessPreviewFindingsRequest$;
exports.ListAccessPreviewFindingsResponse$ = ListAccessPreviewFindingsResponse$;
exports.ListAccessPreviews$ = ListAccessPreviews$;
exports.ListAccessPreviewsCommand = ListAccessPreviewsCommand;
exports.ListAccessPreviewsRequest$ = ListAccessPreviewsRequest$;
exports.ListAccessPreviewsResponse$ = ListAccessPreviewsResponse$;
exports.ListAnalyzedResources$ = ListAnalyzedResources$;
exports.ListAnalyzedResourcesCommand = ListAnalyzedResourcesCommand;
exports.ListAnalyzedResourcesRequest$ = ListAnalyzedResourcesRequest$;
exports.ListAnalyzedResourcesResponse$ = ListAnalyzedResourcesResponse$;
exports.ListAnalyzers$ = ListAnalyzers$;
exports.ListAnalyzersCommand = ListAnalyzersCommand;
exports.ListAnalyzersRequest$ = ListAnalyzersRequest$;
exports.ListAnalyzersResponse$ = ListAnalyzersResponse$;
exports.ListArchiveRules$ = ListArchiveRules$;
exports.ListArchiveRulesCommand = ListArchiveRulesCommand;
exports.ListArchiveRulesRequest$ = ListArchiveRulesRequest$;
exports.ListArchiveRulesResponse$ = ListArchiveRulesResponse$;
exports.ListFindings$ = ListFindings$;
exports.ListFindingsCommand = ListFindingsCommand;
exports.ListFindingsRequest$ = ListFindingsRequest$;
exports.ListFindingsResponse$ = ListFindingsResponse$;
exports.ListFindingsV2$ = ListFindingsV2$;
exports.ListFindingsV2Command = ListFindingsV2Command;
exports.ListFindingsV2Request$ = ListFindingsV2Request$;
exports.ListFindingsV2Response$ = ListFindingsV2Response$;
exports.ListPolicyGenerations$ = ListPolicyGenerations$;
exports.ListPolicyGenerationsCommand = ListPolicyGenerationsCommand;
exports.ListPolicyGenerationsRequest$ = ListPolicyGenerationsRequest$;
exports.ListPolicyGenerationsResponse$ = ListPolicyGenerationsResponse$;
exports.ListTagsForResource$ = ListTagsForResource$;
exports.ListTagsForResourceCommand = ListTagsForResourceCommand;
exports.ListTagsForResourceRequest$ = ListTagsForResourceRequest$;
exports.ListTagsForResourceResponse$ = ListTagsForResourceResponse$;
exports.Locale = Locale;
exports.Location$ = Location$;
exports.NetworkOriginConfiguration$ = NetworkOriginConfiguration$;
exports.OrderBy = OrderBy;
exports.PathElement$ = PathElement$;
exports.PolicyGeneration$ = PolicyGeneration$;
exports.PolicyGenerationDetails$ = PolicyGenerationDetails$;
exports.PolicyType = PolicyType;
exports.Position$ = Position$;
exports.PrincipalType = PrincipalType;
exports.RdsDbClusterSnapshotAttributeValue$ = RdsDbClusterSnapshotAttributeValue$;
exports.RdsDbClusterSnapshotConfiguration$ = RdsDbClusterSnapshotConfiguration$;
exports.RdsDbSnapshotAttributeValue$ = RdsDbSnapshotAttributeValue$;
exports.RdsDbSnapshotConfiguration$ = RdsDbSnapshotConfiguration$;
exports.ReasonCode = ReasonCode;
exports.ReasonSummary$ = ReasonSummary$;
exports.RecommendationError$ = RecommendationError$;
exports.RecommendationType = RecommendationType;
exports.RecommendedRemediationAction = RecommendedRemediationAction;
exports.RecommendedStep$ = RecommendedStep$;
exports.ResourceControlPolicyRestriction = ResourceControlPolicyRestriction;
exports.ResourceNotFoundException = ResourceNotFoundException;
exports.ResourceNotFoundException$ = ResourceNotFoundException$;
exports.ResourceType = ResourceType;
exports.ResourceTypeDetails$ = ResourceTypeDetails$;
exports.S3AccessPointConfiguration$ = S3AccessPointConfiguration$;
exports.S3BucketAclGrantConfiguration$ = S3BucketAclGrantConfiguration$;
exports.S3BucketConfiguration$ = S3BucketConfiguration$;
exports.S3ExpressDirectoryAccessPointConfiguration$ = S3ExpressDirectoryAccessPointConfiguration$;
exports.S3ExpressDirectoryBucketConfiguration$ = S3ExpressDirectoryBucketConfiguration$;
exports.S3PublicAccessBlockConfiguration$ = S3PublicAccessBlockConfiguration$;
exports.SecretsManagerSecretConfiguration$ = SecretsManagerSecretConfiguration$;
exports.ServiceControlPolicyRestriction = ServiceControlPolicyRestriction;
exports.ServiceQuotaExceededException = ServiceQuotaExceededException;
exports.ServiceQuotaExceededException$ = ServiceQuotaExceededException$;
exports.SnsTopicConfiguration$ = SnsTopicConfiguration$;
exports.SortCriteria$ = SortCriteria$;
exports.Span$ = Span$;
exports.SqsQueueConfiguration$ = SqsQueueConfiguration$;
exports.StartPolicyGeneration$ = StartPolicyGeneration$;
exports.StartPolicyGenerationCommand = StartPolicyGenerationCommand;
exports.StartPolicyGenerationRequest$ = StartPolicyGenerationRequest$;
exports.StartPolicyGenerationResponse$ = StartPolicyGenerationResponse$;
exports.StartResourceScan$ = StartResourceScan$;
exports.StartResourceScanCommand = StartResourceScanCommand;
exports.StartResourceScanRequest$ = StartResourceScanRequest$;
exports.Status = Status;
exports.StatusReason$ = StatusReason$;
exports.Substring$ = Substring$;
exports.TagResource$ = TagResource$;
exports.TagResourceCommand = TagResourceCommand;
exports.TagResourceRequest$ = TagResourceRequest$;
exports.TagResourceResponse$ = TagResourceResponse$;
exports.ThrottlingException = ThrottlingException;
exports.ThrottlingException$ = ThrottlingException$;
exports.Trail$ = Trail$;
exports.TrailProperties$ = TrailProperties$;
exports.Type = Type;
exports.UnprocessableEntityException = UnprocessableEntityException;
exports.UnprocessableEntityException$ = UnprocessableEntityException$;
exports.UntagResource$ = UntagResource$;
exports.UntagResourceCommand = UntagResourceCommand;
exports.UntagResourceRequest$ = UntagResourceRequest$;
exports.UntagResourceResponse$ = UntagResourceResponse$;
exports.UnusedAccessConfiguration$ = UnusedAccessConfiguration$;
exports.UnusedAccessFindingsStatistics$ = UnusedAccessFindingsStatistics$;
exports.UnusedAccessTypeStatistics$ = UnusedAccessTypeStatistics$;
exports.UnusedAction$ = UnusedAction$;
exports.UnusedIamRoleDetails$ = UnusedIamRoleDetails$;
exports.UnusedIamUserAccessKeyDetails$ = UnusedIamUserAccessKeyDetails$;
exports.UnusedIamUserPasswordDetails$ = UnusedIamUserPasswordDetails$;
exports.UnusedPermissionDetails$ = UnusedPermissionDetails$;
exports.UnusedPermissionsRecommendedStep$ = UnusedPermissionsRecommendedStep$;
exports.UpdateAnalyzer$ = UpdateAnalyzer$;
exports.UpdateAnalyzerCommand = UpdateAnalyzerCommand;
exports.UpdateAnalyzerRequest$ = UpdateAnalyzerRequest$;
exports.UpdateAnalyzerResponse$ = UpdateAnalyzerResponse$;
exports.UpdateArchiveRule$ = UpdateArchiveRule$;
exports.UpdateArchiveRuleCommand = UpdateArchiveRuleCommand;
exports.UpdateArchiveRuleRequest$ = UpdateArchiveRuleRequest$;
exports.UpdateFindings$ = UpdateFindings$;
exports.UpdateFindingsCommand = UpdateFindingsCommand;
exports.UpdateFindingsRequest$ = UpdateFindingsRequest$;
exports.ValidatePolicy$ = ValidatePolicy$;
exports.ValidatePolicyCommand = ValidatePolicyCommand;
exports.ValidatePolicyFinding$ = ValidatePolicyFinding$;
exports.ValidatePolicyFindingType = ValidatePolicyFindingType;
exports.ValidatePolicyRequest$ = ValidatePolicyRequest$;
exports.ValidatePolicyResourceType = ValidatePolicyResourceType;
exports.ValidatePolicyResponse$ = ValidatePolicyResponse$;
exports.ValidationException = ValidationException;
exports.ValidationException$ = ValidationException$;
exports.ValidationExceptionField$ = ValidationExceptionField$;
exports.ValidationExceptionReason = ValidationExceptionReason;
exports.VpcConfiguration$ = VpcConfiguration$;
exports.errorTypeRegistries = errorTypeRegistries;
exports.paginateGetFindingRecommendation = paginateGetFindingRecommendation;
exports.paginateGetFindingV2 = paginateGetFindingV2;
exports.paginateListAccessPreviewFindings = paginateListAccessPreviewFindings;
exports.paginateListAccessPreviews = paginateListAccessPreviews;
exports.paginateListAnalyzedResources = paginateListAnalyzedResources;
exports.paginateListAnalyzers = paginateListAnalyzers;
exports.paginateListArchiveRules = paginateListArchiveRules;
exports.paginateListFindings = paginateListFindings;
exports.paginateListFindingsV2 = paginateListFindingsV2;
exports.paginateListPolicyGenerations = paginateListPolicyGenerations;
exports.paginateValidatePolicy = paginateValidatePolicy;


/***/ })

};
