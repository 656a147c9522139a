// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP endpoint: where clients connect, the HTTP token, who is connected, live traffic, config snippets.
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class McpClientModel;
class McpServer;
class TrafficLogModel;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QToolButton;

class EndpointPanel : public QWidget
{
    Q_OBJECT
public:
    enum class ConfigTarget
    {
        ClaudeCode,
        ClaudeDesktop,
        VsCode,
        Cursor
    };
    Q_ENUM(ConfigTarget)

    /// `server` may be null: the panel then says the endpoint is off.
    explicit EndpointPanel(McpServer *server, QWidget *parent = nullptr);

    /// The text to paste into a client's configuration. `http` picks the HTTP transport with the
    /// bearer token; otherwise the client starts `tracedesk --mcp-stdio`, which bridges to us.
    static QString configSnippet(ConfigTarget target, bool http, const QString &url, const QString &token);
    /// Where that text goes ("~/.cursor/mcp.json", "a terminal", ...).
    static QString configLocation(ConfigTarget target);

    McpClientModel *clientModel() const { return m_clientModel; }
    TrafficLogModel *trafficModel() const { return m_trafficModel; }
    QLineEdit *tokenEdit() const { return m_token; }
    QToolButton *showTokenButton() const { return m_showToken; }
    QPushButton *regenerateButton() const { return m_regenerate; }
    QComboBox *targetCombo() const { return m_target; }
    QComboBox *transportCombo() const { return m_transport; }
    QPlainTextEdit *snippetView() const { return m_snippet; }
    QPushButton *copySnippetButton() const { return m_copySnippet; }
    QString statusText() const;
    QString socketPath() const;
    QString httpUrl() const;

    void refresh();

private:
    void updateSnippet();

    QPointer<McpServer> m_server;
    McpClientModel *m_clientModel;
    TrafficLogModel *m_trafficModel;
    QLabel *m_status;
    QLineEdit *m_socket;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QToolButton *m_showToken;
    QToolButton *m_copyToken;
    QPushButton *m_regenerate;
    QTableView *m_clients;
    QTableView *m_traffic;
    QComboBox *m_target;
    QComboBox *m_transport;
    QPlainTextEdit *m_snippet;
    QPushButton *m_copySnippet;
    QLabel *m_snippetLocation;
    QTimer m_refreshTimer;
};
