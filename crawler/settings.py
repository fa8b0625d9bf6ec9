"""Scrapy settings for atrisk. The crawl command overrides them from the config file."""

from scrapy.settings import default_settings

from pipeline.config import CrawlConfig

_DEFAULTS = CrawlConfig()

BOT_NAME = "atrisk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: sites are small organisations; never hammer them.
USER_AGENT = _DEFAULTS.user_agent_string
ROBOTSTXT_OBEY = _DEFAULTS.obey_robots
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _DEFAULTS.concurrency_per_domain
DOWNLOAD_DELAY = _DEFAULTS.download_delay
AUTOTHROTTLE_ENABLED = _DEFAULTS.autothrottle
AUTOTHROTTLE_START_DELAY = _DEFAULTS.download_delay
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Limits: a broken or hostile site costs a bounded amount of time and memory.
DOWNLOAD_TIMEOUT = _DEFAULTS.timeout
DNS_TIMEOUT = 20
RETRY_ENABLED = True
RETRY_TIMES = _DEFAULTS.retries
DOWNLOAD_MAXSIZE = _DEFAULTS.max_page_bytes
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 10

# Sessions and caches would make passes depend on each other in hidden ways.
COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port on the monitoring host
# Extensions switched off above are not even imported (remote control imports aiohttp: 0.2 s
# of CPU per crawl process). Scrapy imports every key of EXTENSIONS, a None one too, so they
# leave its base list instead.
_UNUSED_EXTENSIONS = ("scrapy.extensions.telnet.TelnetConsole",
                      "scrapy.extensions.remote_control.RemoteControl")
EXTENSIONS_BASE = {path: order for path, order in default_settings.EXTENSIONS_BASE.items()
                   if path not in _UNUSED_EXTENSIONS}
STATS_DUMP = False
LOG_LEVEL = "INFO"
LOG_VERSIONS: list[str] = []
LOG_INSTALL_ROOT_HANDLER = False  # the crawl command configures logging itself

# Breadth first within a source, so a page limit cuts the deepest pages.
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    # per-source domains replace the spider-wide offsite filter
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SourceGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsMiddleware": 100,
    "crawler.middlewares.ConditionalRequestMiddleware": 520,
    "crawler.middlewares.RedirectLoopMiddleware": 620,
    # HttpProxyMiddleware (750, on by default) honours http_proxy/https_proxy/no_proxy
}
ITEM_PIPELINES = {"crawler.pipelines.CrawlStorePipeline": 300}

# atrisk's own settings, filled in by crawler.crawl
ATRISK_DB_URL = None
ATRISK_SOURCES_PATH = None
ATRISK_SOURCE_NAMES: list[str] = []  # empty: every source
ATRISK_MAX_PAGES = _DEFAULTS.max_pages
ATRISK_MAX_DEPTH = _DEFAULTS.max_depth
# hosts crawled without politeness delay (benchmarks on 127.0.0.1 only)
ATRISK_NO_DELAY_HOSTS: list[str] = []
