// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/endpointpanel.h"

#include "ui/mcpclientmodel.h"
#include "ui/trafficlogmodel.h"

#include "mcp/mcpserver.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
QToolButton *copyButton(QWidget *parent, QLineEdit *source, const QString &what)
{
    auto *button = new QToolButton(parent);
    button->setIcon(QIcon::fromTheme(u"edit-copy"_s));
    button->setText(EndpointPanel::tr("Copy"));
    button->setToolTip(EndpointPanel::tr("Copy the %1").arg(what));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QObject::connect(
        button, &QToolButton::clicked, source, [source] { QGuiApplication::clipboard()->setText(source->text()); });
    return button;
}

QTableView *makeTable(QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    return table;
}
} // namespace

EndpointPanel::EndpointPanel(McpServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_clientModel(new McpClientModel(server, this))
    , m_trafficModel(new TrafficLogModel(server, this))
    , m_status(new QLabel(this))
    , m_socket(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_showToken(new QToolButton(this))
    , m_copyToken(nullptr)
    , m_regenerate(new QPushButton(QIcon::fromTheme(u"view-refresh"_s), tr("&Regenerate"), this))
    , m_clients(makeTable(this))
    , m_traffic(makeTable(this))
    , m_target(new QComboBox(this))
    , m_transport(new QComboBox(this))
    , m_snippet(new QPlainTextEdit(this))
    , m_copySnippet(new QPushButton(QIcon::fromTheme(u"edit-copy"_s), tr("&Copy config"), this))
    , m_snippetLocation(new QLabel(this))
{
    m_status->setWordWrap(true);
    for (QLineEdit *edit : { m_socket, m_url, m_token }) {
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    }
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setAccessibleName(tr("HTTP bearer token"));
    m_showToken->setCheckable(true);
    m_showToken->setIcon(QIcon::fromTheme(u"view-visible"_s));
    m_showToken->setText(tr("Show"));
    m_showToken->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_showToken->setToolTip(tr("Show or hide the token"));
    m_regenerate->setAutoDefault(false);
    m_regenerate->setToolTip(tr("Make a new token; clients using the old one must be reconfigured"));
    m_copySnippet->setAutoDefault(false);

    auto *endpoint = new QGroupBox(tr("Endpoint"), this);
    auto *form = new QFormLayout(endpoint);
    form->addRow(m_status);
    auto *socketRow = new QHBoxLayout;
    socketRow->addWidget(m_socket, 1);
    socketRow->addWidget(copyButton(this, m_socket, tr("socket path")));
    form->addRow(tr("Local socket:"), socketRow);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_url, 1);
    urlRow->addWidget(copyButton(this, m_url, tr("HTTP address")));
    form->addRow(tr("HTTP address:"), urlRow);
    auto *tokenRow = new QHBoxLayout;
    m_copyToken = copyButton(this, m_token, tr("token"));
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_showToken);
    tokenRow->addWidget(m_copyToken);
    tokenRow->addWidget(m_regenerate);
    form->addRow(tr("Token:"), tokenRow);

    m_clients->setModel(m_clientModel);
    m_clients->setAccessibleName(tr("Connected clients"));
    m_clients->horizontalHeader()->setSectionResizeMode(McpClientModel::NameColumn, QHeaderView::Stretch);
    m_clients->horizontalHeader()->setStretchLastSection(false);
    auto *clientsBox = new QGroupBox(tr("Connected clients"), this);
    auto *clientsLayout = new QVBoxLayout(clientsBox);
    clientsLayout->addWidget(m_clients);

    m_traffic->setModel(m_trafficModel);
    m_traffic->setAccessibleName(tr("MCP traffic"));
    m_traffic->horizontalHeader()->setSectionResizeMode(TrafficLogModel::ResultColumn, QHeaderView::Stretch);
    m_traffic->setColumnWidth(
        TrafficLogModel::TimeColumn, m_traffic->fontMetrics().horizontalAdvance(u"00:00:00.000"_s) + 16);
    m_traffic->setColumnWidth(
        TrafficLogModel::MethodColumn, m_traffic->fontMetrics().horizontalAdvance(u"notifications/initialized"_s) + 16);
    auto *trafficBox = new QGroupBox(tr("Traffic"), this);
    auto *clearTraffic = new QPushButton(QIcon::fromTheme(u"edit-clear-history"_s), tr("Clear"), trafficBox);
    clearTraffic->setAutoDefault(false);
    auto *trafficLayout = new QVBoxLayout(trafficBox);
    trafficLayout->addWidget(m_traffic, 1);
    trafficLayout->addWidget(clearTraffic, 0, Qt::AlignRight);
    connect(clearTraffic, &QPushButton::clicked, m_trafficModel, &TrafficLogModel::clear);
    connect(m_trafficModel, &QAbstractItemModel::rowsInserted, m_traffic, [this] {
        if (m_traffic->verticalScrollBar()->value() >= m_traffic->verticalScrollBar()->maximum() - 2)
            m_traffic->scrollToBottom();
    });

    m_target->addItem(tr("Claude Code"), int(ConfigTarget::ClaudeCode));
    m_target->addItem(tr("Claude Desktop"), int(ConfigTarget::ClaudeDesktop));
    m_target->addItem(tr("VS Code"), int(ConfigTarget::VsCode));
    m_target->addItem(tr("Cursor"), int(ConfigTarget::Cursor));
    m_transport->addItem(tr("stdio (starts tracedesk --mcp-stdio)"), false);
    m_transport->addItem(tr("HTTP with token"), true);
    // The long transport label would set the whole dock's minimum width; let the combo elide it.
    m_transport->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_transport->setMinimumContentsLength(14);
    m_transport->setToolTip(m_transport->currentText());
    connect(m_transport, &QComboBox::currentTextChanged, m_transport, &QComboBox::setToolTip);
    m_snippet->setReadOnly(true);
    m_snippet->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_snippet->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_snippet->setAccessibleName(tr("Configuration snippet"));
    m_snippetLocation->setWordWrap(true);
    auto *configBox = new QGroupBox(tr("Connect a client"), this);
    auto *configLayout = new QVBoxLayout(configBox);
    auto *chooser = new QHBoxLayout;
    auto *targetLabel = new QLabel(tr("C&lient:"), configBox);
    targetLabel->setBuddy(m_target);
    auto *transportLabel = new QLabel(tr("&Transport:"), configBox);
    transportLabel->setBuddy(m_transport);
    chooser->addWidget(targetLabel);
    chooser->addWidget(m_target);
    chooser->addWidget(transportLabel);
    chooser->addWidget(m_transport, 1);
    configLayout->addLayout(chooser);
    configLayout->addWidget(m_snippetLocation);
    configLayout->addWidget(m_snippet, 1);
    configLayout->addWidget(m_copySnippet, 0, Qt::AlignRight);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(clientsBox);
    splitter->addWidget(trafficBox);
    splitter->addWidget(configBox);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setStretchFactor(2, 2);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(endpoint);
    layout->addWidget(splitter, 1);

    connect(m_showToken, &QToolButton::toggled, this, [this](bool shown) {
        m_token->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_showToken->setText(shown ? tr("Hide") : tr("Show"));
        m_showToken->setIcon(QIcon::fromTheme(shown ? u"view-hidden"_s : u"view-visible"_s));
        updateSnippet();
    });
    connect(m_regenerate, &QPushButton::clicked, this, [this] {
        if (m_server)
            m_server->regenerateToken();
        refresh();
    });
    connect(m_target, &QComboBox::currentIndexChanged, this, &EndpointPanel::updateSnippet);
    connect(m_transport, &QComboBox::currentIndexChanged, this, &EndpointPanel::updateSnippet);
    connect(m_copySnippet, &QPushButton::clicked, this, [this] {
        // The copy always holds the real token, even while the view masks it.
        const bool http = m_transport->currentData().toBool();
        QGuiApplication::clipboard()->setText(configSnippet(
            ConfigTarget(m_target->currentData().toInt()), http, httpUrl(), m_server ? m_server->token() : QString()));
    });
    if (m_server) {
        connect(m_server, &McpServer::tokenChanged, this, &EndpointPanel::refresh);
        connect(m_server, &McpServer::clientsChanged, this, &EndpointPanel::refresh);
    }
    // The server has no "started" signal; a slow poll keeps the addresses honest.
    m_refreshTimer.setInterval(2000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &EndpointPanel::refresh);
    m_refreshTimer.start();
    refresh();
}

QString EndpointPanel::socketPath() const
{
    return m_server ? m_server->socketPath() : QString();
}

QString EndpointPanel::httpUrl() const
{
    if (!m_server || !m_server->httpListening())
        return u"http://127.0.0.1:8765/mcp"_s;
    return m_server->httpUrl();
}

QString EndpointPanel::statusText() const
{
    return m_status->text();
}

void EndpointPanel::refresh()
{
    QString status;
    if (!m_server) {
        status = tr("The MCP endpoint is off in this session.");
    } else {
        const int clients = int(m_server->clients().size());
        status = m_server->httpListening()
            ? tr("Listening on the local socket and on HTTP. %n clients connected.", "", clients)
            : tr("Listening on the local socket (HTTP off). %n clients connected.", "", clients);
    }
    m_status->setText(status);
    m_socket->setText(socketPath());
    m_url->setText(m_server && m_server->httpListening() ? m_server->httpUrl() : tr("(HTTP is off)"));
    const QString token = m_server ? m_server->token() : QString();
    if (m_token->text() != token)
        m_token->setText(token);
    m_regenerate->setEnabled(m_server != nullptr);
    m_showToken->setEnabled(!token.isEmpty());
    updateSnippet();
}

void EndpointPanel::updateSnippet()
{
    const auto target = ConfigTarget(m_target->currentData().toInt());
    const bool http = m_transport->currentData().toBool();
    QString token = m_server ? m_server->token() : QString();
    if (token.isEmpty())
        token = u"<token>"_s;
    // The view masks the token unless the person chose to show it; Copy config has the real one.
    const QString shown = m_showToken->isChecked() ? token : u"<token: press Show, or use Copy config>"_s;
    m_snippet->setPlainText(configSnippet(target, http, httpUrl(), shown));
    m_snippetLocation->setText(tr("Put this in %1.").arg(configLocation(target)));
}

QString EndpointPanel::configLocation(ConfigTarget target)
{
    switch (target) {
    case ConfigTarget::ClaudeCode:
        return tr("a terminal (it registers TraceDesk with Claude Code)");
    case ConfigTarget::ClaudeDesktop:
        return tr("claude_desktop_config.json (Settings › Developer › Edit Config)");
    case ConfigTarget::VsCode:
        return tr(".vscode/mcp.json in your workspace");
    case ConfigTarget::Cursor:
        return tr("~/.cursor/mcp.json");
    }
    return {};
}

QString EndpointPanel::configSnippet(ConfigTarget target, bool http, const QString &url, const QString &token)
{
    const QString bearer = u"Bearer "_s + token;
    if (target == ConfigTarget::ClaudeCode) {
        if (http)
            return u"claude mcp add --transport http tracedesk %1 --header \"Authorization: %2\""_s.arg(url, bearer);
        return u"claude mcp add --transport stdio tracedesk -- tracedesk --mcp-stdio"_s;
    }
    QJsonObject server;
    if (http) {
        if (target == ConfigTarget::VsCode)
            server.insert("type"_L1, u"http"_s);
        server.insert("url"_L1, url);
        server.insert("headers"_L1, QJsonObject { { u"Authorization"_s, bearer } });
    } else {
        if (target == ConfigTarget::VsCode)
            server.insert("type"_L1, u"stdio"_s);
        server.insert("command"_L1, u"tracedesk"_s);
        server.insert("args"_L1, QJsonArray { u"--mcp-stdio"_s });
    }
    // Claude Desktop speaks stdio only: for HTTP it needs the mcp-remote bridge.
    if (target == ConfigTarget::ClaudeDesktop && http) {
        server = QJsonObject {
            { u"command"_s, u"npx"_s },
            { u"args"_s, QJsonArray { u"mcp-remote"_s, url, u"--header"_s, QString(u"Authorization: "_s + bearer) } },
        };
    }
    const QString rootKey = target == ConfigTarget::VsCode ? u"servers"_s : u"mcpServers"_s;
    const QJsonObject root { { rootKey, QJsonObject { { u"tracedesk"_s, server } } } };
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)).trimmed();
}
