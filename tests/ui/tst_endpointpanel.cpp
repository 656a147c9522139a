// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "mcp/mcpserver.h"
#include "ui/endpointpanel.h"
#include "ui/mcpclientmodel.h"
#include "ui/trafficlogmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

class TestEndpointPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void snippets()
    {
        using T = EndpointPanel::ConfigTarget;
        const QString url = u"http://127.0.0.1:8765/mcp"_s;
        QCOMPARE(EndpointPanel::configSnippet(T::ClaudeCode, false, url, u"tok"_s),
            u"claude mcp add --transport stdio tracedesk -- tracedesk --mcp-stdio"_s);
        QCOMPARE(EndpointPanel::configSnippet(T::ClaudeCode, true, url, u"tok"_s),
            u"claude mcp add --transport http tracedesk http://127.0.0.1:8765/mcp --header \"Authorization: Bearer tok\""_s);

        const QJsonObject desktop
            = QJsonDocument::fromJson(EndpointPanel::configSnippet(T::ClaudeDesktop, false, url, u"tok"_s).toUtf8())
                  .object();
        QCOMPARE(
            desktop.value(u"mcpServers"_s).toObject().value(u"tracedesk"_s).toObject().value(u"command"_s).toString(),
            u"tracedesk"_s);
        const QJsonObject vscode
            = QJsonDocument::fromJson(EndpointPanel::configSnippet(T::VsCode, true, url, u"tok"_s).toUtf8()).object();
        const QJsonObject server = vscode.value(u"servers"_s).toObject().value(u"tracedesk"_s).toObject();
        QCOMPARE(server.value(u"type"_s).toString(), u"http"_s);
        QCOMPARE(server.value(u"url"_s).toString(), url);
        QCOMPARE(server.value(u"headers"_s).toObject().value(u"Authorization"_s).toString(), u"Bearer tok"_s);
        const QJsonObject cursor
            = QJsonDocument::fromJson(EndpointPanel::configSnippet(T::Cursor, false, url, u"tok"_s).toUtf8()).object();
        QCOMPARE(cursor.value(u"mcpServers"_s)
                     .toObject()
                     .value(u"tracedesk"_s)
                     .toObject()
                     .value(u"args"_s)
                     .toArray()
                     .first()
                     .toString(),
            u"--mcp-stdio"_s);
        QVERIFY(EndpointPanel::configLocation(T::Cursor).contains(u"~/.cursor/mcp.json"_s));
        QVERIFY(EndpointPanel::configLocation(T::VsCode).contains(u".vscode/mcp.json"_s));
    }

    void withoutServer()
    {
        EndpointPanel panel(nullptr);
        QVERIFY(panel.statusText().contains(u"off"_s));
        QVERIFY(!panel.regenerateButton()->isEnabled());
        QCOMPARE(panel.clientModel()->rowCount(), 0);
    }

    void withRunningServer()
    {
        FakeEngine engine;
        QTemporaryDir dir;
        McpServerConfig config;
        config.socketPath = dir.path() + u"/mcp.sock"_s;
        config.tokenPath = dir.path() + u"/token"_s;
        config.httpPort = 0;
        McpServer server(engine.get(), config);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        EndpointPanel panel(&server);
        panel.show();
        QCOMPARE(panel.socketPath(), config.socketPath);
        QVERIFY(panel.httpUrl().startsWith(u"http://127.0.0.1:"_s));
        QVERIFY(panel.statusText().contains(u"HTTP"_s));

        // The token is hidden until asked for.
        QCOMPARE(panel.tokenEdit()->text(), server.token());
        QVERIFY(!server.token().isEmpty());
        QCOMPARE(panel.tokenEdit()->echoMode(), QLineEdit::Password);
        QVERIFY(!panel.snippetView()->toPlainText().contains(server.token()));
        panel.transportCombo()->setCurrentIndex(1); // HTTP
        QVERIFY(!panel.snippetView()->toPlainText().contains(server.token()));
        panel.showTokenButton()->click();
        QCOMPARE(panel.tokenEdit()->echoMode(), QLineEdit::Normal);
        QVERIFY(panel.snippetView()->toPlainText().contains(server.token()));
        QVERIFY(panel.snippetView()->toPlainText().contains(panel.httpUrl()));

        // Copy config always holds the real token.
        panel.showTokenButton()->click();
        panel.copySnippetButton()->click();
        QVERIFY(QGuiApplication::clipboard()->text().contains(u"Bearer "_s + server.token()));

        const QString old = server.token();
        QTest::mouseClick(panel.regenerateButton(), Qt::LeftButton);
        QVERIFY(server.token() != old);
        QCOMPARE(panel.tokenEdit()->text(), server.token());

        for (int target = 0; target < panel.targetCombo()->count(); ++target) {
            panel.targetCombo()->setCurrentIndex(target);
            QVERIFY(!panel.snippetView()->toPlainText().isEmpty());
        }

        McpTrafficEntry entry;
        entry.method = u"tools/list"_s;
        entry.time = QDateTime::currentDateTimeUtc();
        Q_EMIT server.trafficLogged(entry);
        QCOMPARE(panel.trafficModel()->rowCount(), 1);
    }
};

QTEST_MAIN(TestEndpointPanel)
#include "tst_endpointpanel.moc"
