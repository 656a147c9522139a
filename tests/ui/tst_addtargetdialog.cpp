// SPDX-License-Identifier: GPL-2.0-or-later
// Adding a target is the person's act, and a refused one changes nothing: a URI smuggling an ssh
// option, a bad name, a name or URI in use, or settings that cannot be saved.
#include "uitestsupport.h"

#include "ui/addtargetdialog.h"

#include "engine/targets/targetregistry.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
struct Fixture
{
    TargetRegistry registry;
    AddTargetDialog dialog { &registry };
    QList<Target> saved;

    Fixture()
    {
        dialog.setSaver([this](const Target &target, QString *) {
            saved.append(target);
            return true;
        });
        dialog.show();
    }
    void fill(const QString &uri, const QString &name = {})
    {
        dialog.uriEdit()->clear();
        QTest::keyClicks(dialog.uriEdit(), uri);
        dialog.nameEdit()->clear();
        if (!name.isEmpty())
            QTest::keyClicks(dialog.nameEdit(), name);
    }
    bool add()
    {
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.addButton()->click();
        return accepted.size() == 1;
    }
};
} // namespace

class TestAddTargetDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void refusesAnOptionAsHost()
    {
        Fixture f;
        f.fill(u"ssh://-oProxyCommand=x"_s);
        QVERIFY(f.dialog.addButton()->isEnabled());
        QVERIFY(!f.add());
        QVERIFY(f.dialog.isVisible());
        QVERIFY2(f.dialog.errorText().startsWith(u"Invalid target"_s), qPrintable(f.dialog.errorText()));
        QVERIFY2(f.dialog.errorText().contains(u"-oProxyCommand=x"_s), qPrintable(f.dialog.errorText()));
        QCOMPARE(f.registry.names(), QStringList { u"local"_s });
        QVERIFY(f.saved.isEmpty());
        // Editing again clears the refusal.
        QTest::keyClick(f.dialog.uriEdit(), Qt::Key_Backspace);
        QVERIFY(f.dialog.errorText().isEmpty());
    }

    void refusesWhatIsNoTarget_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("scheme") << u"http://db1"_s << QString() << u"expected local, ssh://"_s;
        QTest::newRow("local") << u"local"_s << QString() << u"This machine is always there"_s;
        QTest::newRow("space in name") << u"ssh://db1"_s << u"db 1"_s << u"is not allowed"_s;
        QTest::newRow("name local") << u"ssh://db1"_s << u"local"_s << u"this machine's"_s;
        QTest::newRow("k8s node") << u"k8s://ctx/Node_1"_s << QString() << u"not a Kubernetes node name"_s;
    }

    void refusesWhatIsNoTarget()
    {
        QFETCH(QString, uri);
        QFETCH(QString, name);
        QFETCH(QString, message);
        Fixture f;
        f.fill(uri, name);
        QVERIFY(!f.add());
        QVERIFY2(f.dialog.errorText().contains(message), qPrintable(f.dialog.errorText()));
        QCOMPARE(f.registry.names(), QStringList { u"local"_s });
        QVERIFY(f.saved.isEmpty());
    }

    void addsAnSshHostWithItsPrivilege()
    {
        Fixture f;
        f.fill(u"  ssh://admin@db5.example.com:2222 "_s, u"db5"_s);
        QVERIFY(f.dialog.privilegeCombo()->isEnabled());
        QVERIFY(!f.dialog.imageEdit()->isEnabled());
        f.dialog.privilegeCombo()->setCurrentIndex(f.dialog.privilegeCombo()->findData(u"sudo"_s));
        QVERIFY(f.add());
        const Target *added = f.registry.find(u"db5"_s);
        QVERIFY(added);
        QCOMPARE(added->uri(), u"ssh://admin@db5.example.com:2222"_s);
        QCOMPARE(added->privilege, RemotePrivilege::Sudo);
        QCOMPARE(f.saved.size(), 1);
        QCOMPARE(f.saved.constFirst(), *added);
        QCOMPARE(f.dialog.added(), *added);
    }

    void addsAKubernetesNodeWithItsImage()
    {
        Fixture f;
        f.fill(u"k8s://prod/node-7"_s);
        QCOMPARE(f.dialog.nameEdit()->placeholderText(), u"prod/node-7"_s); // the default name
        QVERIFY(!f.dialog.privilegeCombo()->isEnabled());
        QVERIFY(f.dialog.imageEdit()->isEnabled());
        QTest::keyClicks(f.dialog.imageEdit(), u"registry.example.com/tools/bpftrace:0.23"_s);
        QVERIFY(f.add());
        const Target *added = f.registry.find(u"prod/node-7"_s);
        QVERIFY(added);
        QCOMPARE(added->kind, TargetKind::Kubernetes);
        QCOMPARE(added->image, u"registry.example.com/tools/bpftrace:0.23"_s);
    }

    void refusesABadImage()
    {
        Fixture f;
        f.fill(u"k8s://prod/node-7"_s);
        QTest::keyClicks(f.dialog.imageEdit(), u"x; rm -rf /"_s);
        QVERIFY(!f.add());
        QVERIFY2(f.dialog.errorText().contains(u"not an image reference"_s), qPrintable(f.dialog.errorText()));
        QCOMPARE(f.registry.names(), QStringList { u"local"_s });
    }

    void refusesANameOrUriInUse()
    {
        Fixture f;
        QVERIFY(f.registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s)));
        f.fill(u"ssh://root@10.0.0.9"_s, u"db1"_s);
        QVERIFY(!f.add());
        QVERIFY2(f.dialog.errorText().contains(u"configured already"_s), qPrintable(f.dialog.errorText()));
        f.fill(u"ssh://root@10.0.0.1"_s, u"other"_s);
        QVERIFY(!f.add());
        QVERIFY2(f.dialog.errorText().contains(u"“db1”"_s), qPrintable(f.dialog.errorText()));
        // The identical target again is refused too: adding it would do nothing.
        f.fill(u"ssh://root@10.0.0.1"_s, u"db1"_s);
        QVERIFY(!f.add());
        QCOMPARE(f.registry.names(), QStringList({ u"local"_s, u"db1"_s }));
        // A group's name is taken too: "db" must not mean a group in one place, a target in another.
        QVERIFY(f.registry.setGroup(u"db"_s, { u"db1"_s }));
        f.fill(u"ssh://root@10.0.0.2"_s, u"db"_s);
        QVERIFY(!f.add());
        QVERIFY2(
            f.dialog.errorText().contains(u"'db' is the name of a group (db1)"_s), qPrintable(f.dialog.errorText()));
        QVERIFY(f.saved.isEmpty());
    }

    void notSavedIsNotAdded()
    {
        TargetRegistry registry;
        AddTargetDialog dialog(&registry);
        dialog.setSaver([](const Target &, QString *error) {
            *error = u"cannot write /nowhere/tracedesk.conf"_s;
            return false;
        });
        QSignalSpy changed(&registry, &TargetRegistry::targetsChanged);
        QTest::keyClicks(dialog.uriEdit(), u"ssh://db1"_s);
        dialog.addButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(
            dialog.errorText().contains(u"cannot write /nowhere/tracedesk.conf"_s), qPrintable(dialog.errorText()));
        QCOMPARE(registry.names(), QStringList { u"local"_s });
        QCOMPARE(changed.size(), 2); // in, and out again
    }
};

QTEST_MAIN(TestAddTargetDialog)
#include "tst_addtargetdialog.moc"
