import AnvilAuth
import AnvilCore
import AnvilIngest
import AnvilOTel
import AnvilStorage
import Foundation
import Hummingbird
import Logging

/// Everything the HTTP layer needs, handed over by the composition root.
public struct HTTPDependencies: Sendable {
    public var metadata: any MetadataStore
    public var datasets: any DatasetStore
    public var prompts: any PromptStore
    public var traces: any TraceStore & UITraceQueries
    public var blobs: any BlobStore
    public var ingest: IngestService
    public var resolver: ProjectResolver
    public var authenticator: Authenticator
    public var accounts: Accounts
    /// OpenID Connect sign-in, when configured.
    public var oidc: OIDCSettings?
    public var signer: URLSigner
    public var anvilVersion: String
    /// Directory of the web UI's files; nil serves no UI.
    public var webDirectory: String?

    public init(
        metadata: any MetadataStore, datasets: any DatasetStore, prompts: any PromptStore, traces: any TraceStore & UITraceQueries, blobs: any BlobStore,
        ingest: IngestService, resolver: ProjectResolver, authenticator: Authenticator, accounts: Accounts, oidc: OIDCSettings? = nil,
        signer: URLSigner, anvilVersion: String, webDirectory: String? = nil
    ) {
        self.metadata = metadata
        self.datasets = datasets
        self.prompts = prompts
        self.traces = traces
        self.blobs = blobs
        self.ingest = ingest
        self.resolver = resolver
        self.authenticator = authenticator
        self.accounts = accounts
        self.oidc = oidc
        self.signer = signer
        self.anvilVersion = anvilVersion
        self.webDirectory = webDirectory
    }
}

/// The API prefixes every route answers under: the SDK appends bare paths to whatever base users
/// configure (`http://host`, `…/api`, `…/api/v1`).
public let apiPrefixes = ["", "api", "api/v1"]

/// Builds the router: public routes, then authenticated ones, under every prefix.
public func buildRouter(_ deps: HTTPDependencies) -> Router<AnvilRequestContext> {
    let router = Router(context: AnvilRequestContext.self)
    if let web = deps.webDirectory { router.add(middleware: WebMiddleware(directory: web)) }
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuditScopeMiddleware())
    router.add(middleware: AuthMiddleware(authenticator: deps.authenticator))

    let reader = RunReader(traces: deps.traces, shares: deps.metadata, signer: deps.signer)
    let links = ExampleAttachmentLinks(signer: deps.signer)
    let exampleWriter = ExampleWriter(datasets: deps.datasets, traces: deps.traces, blobs: deps.blobs)
    let meta = MetaController(info: ServerInfo(anvilVersion: deps.anvilVersion, zstdEnabled: Decompression.zstdAvailable))
    let publicRoutes = PublicController(traces: deps.traces, shares: deps.metadata, blobs: deps.blobs, signer: deps.signer, reader: reader, queries: deps.traces,
        datasets: deps.datasets, projects: deps.metadata, links: links)
    let runs = RunsController(ingest: deps.ingest, traces: deps.traces, shares: deps.metadata, reader: reader)
    let otel = OTelController(otlp: OTLPIngest(ingest: deps.ingest))
    let sessions = SessionsController(projects: deps.metadata, traces: deps.traces, resolver: deps.resolver)
    let rules = FeedbackRules(configs: deps.metadata)
    let feedback = FeedbackController(traces: deps.traces, rules: rules)
    let feedbackConfigs = FeedbackConfigsController(configs: deps.metadata)
    let feedbackTokens = FeedbackTokensController(tokens: deps.metadata, traces: deps.traces, rules: rules)
    let annotationQueues = AnnotationQueuesController(queues: deps.metadata, configs: deps.metadata, traces: deps.traces, reader: reader)
    let settings = SettingsController(tenants: deps.metadata)
    let ui = UIController(projects: deps.metadata, queries: deps.traces)
    let datasets = DatasetsController(
        datasets: deps.datasets, projects: deps.metadata, traces: deps.traces, shares: deps.metadata, writer: exampleWriter, links: links)
    let examples = ExamplesController(datasets: deps.datasets, writer: exampleWriter, links: links)
    let auditor = Auditor(store: deps.metadata, logger: Logger(label: "anvil.audit"))
    let auth = AuthController(accounts: deps.accounts, store: deps.metadata, authenticator: deps.authenticator, auditor: auditor, oidc: deps.oidc)
    let sso = OIDCController(settings: deps.oidc, signer: deps.signer, accounts: deps.accounts, store: deps.metadata,
                             authenticator: deps.authenticator, auditor: auditor)
    let team = TeamController(store: deps.metadata, accounts: deps.accounts, auditor: auditor)
    let keys = APIKeysController(store: deps.metadata, accounts: deps.accounts, auditor: auditor)
    let audit = AuditController(store: deps.metadata)
    let promptLocator = PromptLocator(tenants: deps.metadata, prompts: deps.prompts)
    let repos = ReposController(prompts: deps.prompts, tenants: deps.metadata, locator: promptLocator)
    let repoTags = RepoTagsController(prompts: deps.prompts, locator: promptLocator)
    let commits = CommitsController(prompts: deps.prompts, locator: promptLocator)

    for prefix in apiPrefixes {
        let open = router.group(RouterPath(prefix))
        meta.addRoutes(to: open)
        publicRoutes.addRoutes(to: open)
        feedbackTokens.addPublicRoutes(to: open)
        auth.addPublicRoutes(to: open)
        sso.addPublicRoutes(to: open)
        // Every authenticated route passes the same three checks: browser writes carry the CSRF
        // header, security-relevant changes are audited (refusals too), and the principal's role
        // covers the route (``AccessPolicy``).
        let authed = open.group(context: TenantContext.self)
            .add(middleware: CSRFMiddleware())
            .add(middleware: AuditMiddleware(auditor: auditor))
            .add(middleware: PermissionMiddleware())
        auth.addRoutes(to: authed)
        team.addRoutes(to: authed)
        keys.addRoutes(to: authed)
        audit.addRoutes(to: authed)
        runs.addRoutes(to: authed)
        otel.addRoutes(to: authed)
        sessions.addRoutes(to: authed)
        feedback.addRoutes(to: authed)
        feedbackConfigs.addRoutes(to: authed)
        feedbackTokens.addRoutes(to: authed)
        annotationQueues.addRoutes(to: authed)
        settings.addRoutes(to: authed)
        ui.addRoutes(to: authed)
        datasets.addRoutes(to: authed)
        examples.addRoutes(to: authed, prefix: prefix)
        repos.addRoutes(to: authed)
        repoTags.addRoutes(to: authed)
        commits.addRoutes(to: authed)
    }
    return router
}
