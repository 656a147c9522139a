// SPDX-License-Identifier: GPL-2.0-or-later
// The polkit policy decides who may start the privilege helper as root, so it is checked like
// code: well-formed, only the elements polkitd knows, action ids under our application id, a
// description and message for the prompt, and defaults that always ask for an administrator.
#include "engine/privilege.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

const QString appId = u"org.tracedesk.TraceDesk"_s;

// The source is a template (.policy.in) that CMake completes with the installed helper's path.
QString policyPath()
{
    const QString base = QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/resources/polkit/"_s + appId + u".policy"_s;
    return QFile::exists(base + u".in"_s) ? base + u".in"_s : base;
}

struct Action
{
    QString id;
    QString description;
    QString message;
    QHash<QString, QString> defaults; // allow_any, allow_inactive, allow_active
    QHash<QString, QString> annotations;
};

struct Policy
{
    bool ok = false;
    QString error;
    bool hasDoctype = false;
    QList<Action> actions;
};

Policy parse(const QByteArray &data)
{
    Policy policy;
    QXmlStreamReader xml(data);
    static const QSet<QString> known { u"policyconfig"_s, u"vendor"_s, u"vendor_url"_s, u"icon_name"_s, u"action"_s,
        u"description"_s, u"message"_s, u"defaults"_s, u"allow_any"_s, u"allow_inactive"_s, u"allow_active"_s,
        u"annotate"_s };
    QStringList path;
    while (!xml.atEnd()) {
        switch (xml.readNext()) {
        case QXmlStreamReader::DTD:
            policy.hasDoctype = xml.text().contains("PolicyKit Policy Configuration"_L1);
            break;
        case QXmlStreamReader::StartElement: {
            const QString name = xml.name().toString();
            if (!known.contains(name)) {
                policy.error = u"unknown element <%1> at line %2"_s.arg(name).arg(xml.lineNumber());
                return policy;
            }
            if (path.isEmpty() && name != "policyconfig"_L1) {
                policy.error = u"root element is <%1>, expected <policyconfig>"_s.arg(name);
                return policy;
            }
            if (name == "action"_L1) {
                policy.actions.append(Action { xml.attributes().value("id"_L1).toString(), {}, {}, {}, {} });
            } else if (!policy.actions.isEmpty() && path.contains("action"_L1)) {
                Action &action = policy.actions.last();
                // Translations carry xml:lang; the untranslated text is what we check.
                const bool translated = xml.attributes().hasAttribute("xml:lang"_L1);
                if (name == "annotate"_L1) {
                    // The key first: readElementText() moves the reader past the attributes.
                    const QString key = xml.attributes().value("key"_L1).toString();
                    action.annotations.insert(key, xml.readElementText());
                    continue; // readElementText consumed the end element
                }
                if (name == "description"_L1 || name == "message"_L1 || name.startsWith("allow_"_L1)) {
                    const QString text = xml.readElementText().trimmed();
                    if (name == "description"_L1 && !translated)
                        action.description = text;
                    else if (name == "message"_L1 && !translated)
                        action.message = text;
                    else if (name.startsWith("allow_"_L1))
                        action.defaults.insert(name, text);
                    continue;
                }
            }
            path.append(name);
            break;
        }
        case QXmlStreamReader::EndElement:
            if (!path.isEmpty())
                path.removeLast();
            break;
        default:
            break;
        }
    }
    if (xml.hasError()) {
        policy.error = u"%1 at line %2"_s.arg(xml.errorString()).arg(xml.lineNumber());
        return policy;
    }
    policy.ok = true;
    return policy;
}

Policy policyFromDisk()
{
    QFile file(policyPath());
    if (!file.open(QIODevice::ReadOnly))
        return Policy { false, u"cannot read "_s + policyPath(), false, {} };
    return parse(file.readAll());
}

} // namespace

class TestPolkitPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The checker itself must reject what polkitd would reject or what would be unsafe.
    void checkerRejects_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::newRow("not xml") << QByteArray("policyconfig");
        QTest::newRow("truncated") << QByteArray("<policyconfig><action id=\"org.tracedesk.TraceDesk.run\">");
        QTest::newRow("wrong root") << QByteArray("<policy><action id=\"x\"/></policy>");
        QTest::newRow("unknown element") << QByteArray("<policyconfig><actoin id=\"x\"/></policyconfig>");
    }

    void checkerRejects()
    {
        QFETCH(QByteArray, xml);
        QVERIFY(!parse(xml).ok);
    }

    void wellFormed()
    {
        const Policy policy = policyFromDisk();
        QVERIFY2(policy.ok, qPrintable(policy.error));
        QVERIFY2(policy.hasDoctype, "the polkit DOCTYPE declaration is missing");
        QVERIFY(!policy.actions.isEmpty());
    }

    void actions()
    {
        const Policy policy = policyFromDisk();
        QVERIFY2(policy.ok, qPrintable(policy.error));
        static const QSet<QString> results { u"no"_s, u"yes"_s, u"auth_self"_s, u"auth_admin"_s, u"auth_self_keep"_s,
            u"auth_admin_keep"_s };
        static const QRegularExpression idPattern(u"^org\\.tracedesk\\.TraceDesk\\.[A-Za-z0-9.-]+$"_s);
        for (const Action &action : policy.actions) {
            QVERIFY2(idPattern.match(action.id).hasMatch(), qPrintable(u"action id "_s + action.id));
            QVERIFY2(!action.description.isEmpty(), qPrintable(action.id + u": no description"_s));
            QVERIFY2(!action.message.isEmpty(), qPrintable(action.id + u": no message"_s));
            for (const QString &key : { u"allow_any"_s, u"allow_inactive"_s, u"allow_active"_s }) {
                const QString value = action.defaults.value(key);
                QVERIFY2(results.contains(value), qPrintable(u"%1: %2 is '%3'"_s.arg(action.id, key, value)));
                // Running bpftrace as root is administrator business: no session may get it for
                // free or with its own password.
                QVERIFY2(value == "no"_L1 || value.startsWith("auth_admin"_L1),
                    qPrintable(
                        u"%1: %2=%3 lets a user trace as root without an administrator"_s.arg(action.id, key, value)));
            }
            // pkexec matches the program by exec.path; it must name our helper (the template may
            // leave the directory to CMake: @CMAKE_INSTALL_FULL_LIBEXECDIR@/tracedesk-helper).
            const QString exec = action.annotations.value(u"org.freedesktop.policykit.exec.path"_s);
            QVERIFY2(exec.endsWith("/tracedesk-helper"_L1), qPrintable(action.id + u": exec.path is "_s + exec));
        }
    }

    // pkexec takes the first action (in no defined order) whose exec.path matches and whose
    // exec.argv1, when set, equals the program's first argument. An action with the helper's path
    // and no argv1 would therefore also match `tracedesk-helper run-unsafe`, and its kept
    // authorisation would let a --unsafe run (system() as root) through without asking.
    void everyActionNamesTheHelpersFirstArgument()
    {
        const Policy policy = policyFromDisk();
        QVERIFY2(policy.ok, qPrintable(policy.error));
        QStringList verbs;
        for (const Action &action : policy.actions) {
            const QString argv1 = action.annotations.value(u"org.freedesktop.policykit.exec.argv1"_s);
            QVERIFY2(!argv1.isEmpty(), qPrintable(action.id + u": no exec.argv1"_s));
            QVERIFY2(!verbs.contains(argv1), qPrintable(action.id + u": exec.argv1 "_s + argv1 + u" twice"_s));
            verbs.append(argv1);
        }
        // Exactly the first arguments Privilege::wrap gives the helper.
        verbs.sort();
        QCOMPARE(verbs, QStringList({ Privilege::HelperRun, Privilege::HelperRunUnsafe }));
    }

    // The person's approval of an unsafe run is an administrator's authentication for that run:
    // never kept, so no other process of the user can start one on the strength of an earlier one.
    void unsafeRunsAskEveryTime()
    {
        const Policy policy = policyFromDisk();
        QVERIFY2(policy.ok, qPrintable(policy.error));
        const auto unsafe = std::find_if(policy.actions.cbegin(), policy.actions.cend(), [](const Action &a) {
            return a.annotations.value(u"org.freedesktop.policykit.exec.argv1"_s) == Privilege::HelperRunUnsafe;
        });
        QVERIFY(unsafe != policy.actions.cend());
        QCOMPARE(unsafe->id, appId + u".run-unsafe"_s);
        for (const QString &key : { u"allow_any"_s, u"allow_inactive"_s, u"allow_active"_s })
            QVERIFY2(unsafe->defaults.value(key) == "auth_admin"_L1 || unsafe->defaults.value(key) == "no"_L1,
                qPrintable(u"%1=%2"_s.arg(key, unsafe->defaults.value(key))));
        QVERIFY(unsafe->message.contains(u"--unsafe"_s));
    }
};

QTEST_GUILESS_MAIN(TestPolkitPolicy)
#include "tst_polkitpolicy.moc"
