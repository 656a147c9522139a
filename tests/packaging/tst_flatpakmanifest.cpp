// SPDX-License-Identifier: GPL-2.0-or-later
// The Flatpak manifest cannot be built here (no Flathub), so what can be checked is checked: it
// parses, names the KDE 6 runtime and our command, asks only for allowlisted permissions, each
// justified in flatpak/README.md, and every downloaded source is pinned.
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString appId = u"org.tracedesk.TraceDesk"_s;

QString manifestPath()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/flatpak/"_s + appId + u".json"_s;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QJsonObject manifest()
{
    return QJsonDocument::fromJson(readFile(manifestPath())).object();
}

QString readme()
{
    return QString::fromUtf8(readFile(QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/flatpak/README.md"_s));
}

// What the app may ask for. Anything else needs a new row here *and* a paragraph in the README,
// so a permission never creeps in unnoticed.
const QSet<QString> allowedFinishArgs {
    u"--share=ipc"_s, // X11 shared memory for the fallback-x11 case
    u"--socket=wayland"_s, u"--socket=fallback-x11"_s,
    u"--talk-name=org.freedesktop.Flatpak"_s, // flatpak-spawn --host bpftrace
};

} // namespace

class TestFlatpakManifest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses()
    {
        const QByteArray data = readFile(manifestPath());
        QVERIFY2(!data.isEmpty(), qPrintable(u"cannot read "_s + manifestPath()));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
        QVERIFY2(error.error == QJsonParseError::NoError,
            qPrintable(u"%1 at offset %2"_s.arg(error.errorString()).arg(error.offset)));
        QVERIFY(doc.isObject());
    }

    void identity()
    {
        const QJsonObject m = manifest();
        // flatpak-builder accepts either key; exactly one must be there.
        QVERIFY(m.contains("id"_L1) != m.contains("app-id"_L1));
        const QString id = m.value("id"_L1).toString(m.value("app-id"_L1).toString());
        QCOMPARE(id, appId);
        QCOMPARE(QFileInfo(manifestPath()).completeBaseName(), appId);
        QCOMPARE(m.value("command"_L1).toString(), u"tracedesk"_s);
    }

    void runtime()
    {
        const QJsonObject m = manifest();
        QCOMPARE(m.value("runtime"_L1).toString(), u"org.kde.Platform"_s);
        QCOMPARE(m.value("sdk"_L1).toString(), u"org.kde.Sdk"_s);
        // A KDE 6 branch with at least the Qt we require (find_package(Qt6 6.8)).
        const QString version = m.value("runtime-version"_L1).toString();
        const QRegularExpressionMatch match = QRegularExpression(u"^6\\.(\\d+)$"_s).match(version);
        QVERIFY2(match.hasMatch(), qPrintable(u"runtime-version '%1' is not a 6.x branch"_s.arg(version)));
        QVERIFY2(match.captured(1).toInt() >= 8, qPrintable(u"runtime-version %1 is older than Qt 6.8"_s.arg(version)));
    }

    void finishArgs_data()
    {
        QTest::addColumn<QString>("arg");
        const QJsonArray args = manifest().value("finish-args"_L1).toArray();
        for (const QJsonValue &value : args)
            QTest::newRow(qPrintable(value.toString())) << value.toString();
    }

    void finishArgs()
    {
        QFETCH(QString, arg);
        QVERIFY2(allowedFinishArgs.contains(arg), qPrintable(arg + u" is not on the allowlist"_s));
        QVERIFY2(readme().contains(u'`' + arg + u'`'), qPrintable(arg + u" is not justified in flatpak/README.md"_s));
    }

    void finishArgsAsFewAsPossible()
    {
        const QJsonArray args = manifest().value("finish-args"_L1).toArray();
        QSet<QString> seen;
        for (const QJsonValue &value : args) {
            QVERIFY2(value.isString(), "finish-args holds a non-string");
            QVERIFY2(!seen.contains(value.toString()), qPrintable(u"duplicate "_s + value.toString()));
            seen.insert(value.toString());
        }
        // Without this, bpftrace (which must run on the host) cannot be started at all.
        QVERIFY(seen.contains(u"--talk-name=org.freedesktop.Flatpak"_s));
        // The MCP socket is shared through $XDG_RUNTIME_DIR/app/<id>, which needs no permission;
        // none of these may come back.
        for (const QString &forbidden : { u"--filesystem=host"_s, u"--filesystem=home"_s, u"--share=network"_s,
                 u"--socket=x11"_s, u"--socket=session-bus"_s, u"--socket=system-bus"_s, u"--device=all"_s,
                 u"--filesystem=xdg-run/tracedesk"_s })
            QVERIFY2(!seen.contains(forbidden), qPrintable(forbidden));
    }

    void tracedeskModule()
    {
        const QJsonArray modules = manifest().value("modules"_L1).toArray();
        QVERIFY(!modules.isEmpty());
        // flatpak-builder builds in order: the app comes last, after what it links.
        const QJsonObject app = modules.last().toObject();
        QCOMPARE(app.value("name"_L1).toString(), u"tracedesk"_s);
        QCOMPARE(app.value("buildsystem"_L1).toString(), u"cmake-ninja"_s);
        const QJsonArray opts = app.value("config-opts"_L1).toArray();
        QVERIFY2(opts.contains(u"-DTRACEDESK_BUILD_TESTS=OFF"_s), "the bundle has no use for the tests");
        QVERIFY(!app.value("sources"_L1).toArray().isEmpty());
    }

    void llhttpBuiltFromSource()
    {
        // The KDE SDK has no llhttp; it must be a module before ours.
        const QJsonArray modules = manifest().value("modules"_L1).toArray();
        qsizetype llhttp = -1;
        qsizetype app = -1;
        for (qsizetype i = 0; i < modules.size(); ++i) {
            const QString name = modules.at(i).toObject().value("name"_L1).toString();
            if (name == "llhttp"_L1)
                llhttp = i;
            else if (name == "tracedesk"_L1)
                app = i;
        }
        QVERIFY(llhttp >= 0);
        QVERIFY(llhttp < app);
        const QJsonObject module = modules.at(llhttp).toObject();
        QCOMPARE(module.value("buildsystem"_L1).toString(), u"cmake-ninja"_s);
        QVERIFY(module.value("config-opts"_L1).toArray().contains(u"-DBUILD_SHARED_LIBS=ON"_s));
    }

    void sourcesPinned_data()
    {
        QTest::addColumn<QJsonObject>("source");
        const QJsonArray modules = manifest().value("modules"_L1).toArray();
        for (const QJsonValue &module : modules) {
            const QString name = module.toObject().value("name"_L1).toString();
            const QJsonArray sources = module.toObject().value("sources"_L1).toArray();
            for (qsizetype i = 0; i < sources.size(); ++i)
                QTest::addRow("%s/%lld", qPrintable(name), qlonglong(i)) << sources.at(i).toObject();
        }
    }

    void sourcesPinned()
    {
        QFETCH(QJsonObject, source);
        const QString type = source.value("type"_L1).toString();
        if (type == "archive"_L1 || type == "file"_L1) {
            QVERIFY(source.value("url"_L1).toString().startsWith("https://"_L1));
            QVERIFY2(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(source.value("sha256"_L1).toString()).hasMatch(),
                "downloads are pinned by sha256");
        } else if (type == "git"_L1) {
            QVERIFY(source.value("url"_L1).toString().startsWith("https://"_L1));
            QVERIFY2(QRegularExpression(u"^[0-9a-f]{40}$"_s).match(source.value("commit"_L1).toString()).hasMatch(),
                "git sources are pinned by commit");
        } else if (type == "dir"_L1) {
            // The checkout itself, for local builds; it must not drag the build trees in.
            QCOMPARE(source.value("path"_L1).toString(), u".."_s);
            QVERIFY(source.value("skip"_L1).toArray().contains(u"build"_s));
        } else {
            QFAIL(qPrintable(u"unexpected source type "_s + type));
        }
    }

    void readmeExplainsTheSandbox()
    {
        const QString text = readme();
        QVERIFY(!text.isEmpty());
        // Where host MCP clients and the stdio bridge find the socket.
        QVERIFY(text.contains(u"$XDG_RUNTIME_DIR/app/"_s + appId));
        QVERIFY(text.contains("flatpak-spawn --host"_L1));
        QVERIFY(text.contains("/.flatpak-info"_L1));
    }
};

QTEST_GUILESS_MAIN(TestFlatpakManifest)
#include "tst_flatpakmanifest.moc"
