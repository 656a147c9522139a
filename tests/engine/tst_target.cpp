// SPDX-License-Identifier: GPL-2.0-or-later
// Target URIs: what parses, to what, and every hostile form that must be refused.
#include "engine/targets/target.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestTarget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesValid_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("node");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("canonical");
        const int ssh = int(TargetKind::Ssh);
        const int k8s = int(TargetKind::Kubernetes);
        QTest::newRow("local") << u"local"_s << int(TargetKind::Local) << QString() << QString() << 0 << QString()
                               << QString() << u"local"_s << u"local"_s;
        QTest::newRow("host") << u"ssh://db1"_s << ssh << QString() << u"db1"_s << 0 << QString() << QString()
                              << u"db1"_s << u"ssh://db1"_s;
        QTest::newRow("user host port") << u"ssh://root@db1.example.org:2222"_s << ssh << u"root"_s
                                        << u"db1.example.org"_s << 2222 << QString() << QString()
                                        << u"root@db1.example.org:2222"_s << u"ssh://root@db1.example.org:2222"_s;
        QTest::newRow("ipv4") << u"ssh://alice@10.200.1.2"_s << ssh << u"alice"_s << u"10.200.1.2"_s << 0 << QString()
                              << QString() << u"alice@10.200.1.2"_s << u"ssh://alice@10.200.1.2"_s;
        QTest::newRow("ipv6 port") << u"ssh://[fd00::2]:22"_s << ssh << QString() << u"fd00::2"_s << 22 << QString()
                                   << QString() << u"[fd00::2]:22"_s << u"ssh://[fd00::2]:22"_s;
        QTest::newRow("node") << u"k8s://worker-1"_s << k8s << QString() << QString() << 0 << QString() << u"worker-1"_s
                              << u"worker-1"_s << u"k8s://worker-1"_s;
        QTest::newRow("context node") << u"k8s://prod/ip-10-0-1-5.ec2.internal"_s << k8s << QString() << QString() << 0
                                      << u"prod"_s << u"ip-10-0-1-5.ec2.internal"_s
                                      << u"prod/ip-10-0-1-5.ec2.internal"_s << u"k8s://prod/ip-10-0-1-5.ec2.internal"_s;
        QTest::newRow("eks context") << u"k8s://arn:aws:eks:eu-west-1:123:cluster/c1/node-a"_s << k8s << QString()
                                     << QString() << 0 << u"arn:aws:eks:eu-west-1:123:cluster/c1"_s << u"node-a"_s
                                     << u"arn:aws:eks:eu-west-1:123:cluster/c1/node-a"_s
                                     << u"k8s://arn:aws:eks:eu-west-1:123:cluster/c1/node-a"_s;
    }
    void parsesValid()
    {
        QFETCH(QString, uri);
        QString error;
        const std::optional<Target> t = Target::parse(uri, &error);
        QVERIFY2(t, qPrintable(error));
        QFETCH(int, kind);
        QCOMPARE(int(t->kind), kind);
        QTEST(t->user, "user");
        QTEST(t->host, "host");
        QTEST(t->port, "port");
        QTEST(t->context, "context");
        QTEST(t->node, "node");
        QTEST(t->name, "name");
        QTEST(t->uri(), "canonical");
        QVERIFY2(t->validate(&error), qPrintable(error));
        // The canonical form parses back to the same target.
        QCOMPARE(Target::parse(t->uri()), t);
    }

    void refusesHostile_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << u"empty"_s;
        QTest::newRow("other scheme") << u"http://db1"_s << u"expected local, ssh://"_s;
        QTest::newRow("no scheme") << u"db1"_s << u"expected local"_s;
        QTest::newRow("upper scheme") << u"SSH://db1"_s << u"expected local"_s;
        QTest::newRow("option as host") << u"ssh://-oProxyCommand=touch%20/tmp/x"_s << u"host name"_s;
        QTest::newRow("option as host plain") << u"ssh://-oProxyCommand=id"_s << u"host name"_s;
        QTest::newRow("option as user") << u"ssh://-oProxyCommand=id@db1"_s << u"user name"_s;
        QTest::newRow("option after @") << u"ssh://root@-p22"_s << u"host name"_s;
        QTest::newRow("space") << u"ssh://db1 -oProxyCommand=id"_s << u"spaces"_s;
        QTest::newRow("tab") << u"ssh://db1\t"_s << u"spaces, control"_s;
        QTest::newRow("newline") << u"ssh://db1\nid"_s << u"control"_s;
        QTest::newRow("nul") << QString(u"ssh://db1"_s + QChar(0) + u"x"_s) << u"control"_s;
        QTest::newRow("non-ascii") << u"ssh://d\u00e9b1"_s << u"non-ASCII"_s;
        QTest::newRow("semicolon") << u"ssh://db1;id"_s << u"host name"_s;
        QTest::newRow("dollar") << u"ssh://$(id)"_s << u"host name"_s;
        QTest::newRow("backtick") << u"ssh://`id`"_s << u"host name"_s;
        QTest::newRow("quote") << u"ssh://db'1"_s << u"host name"_s;
        QTest::newRow("pipe") << u"ssh://db1|id"_s << u"host name"_s;
        QTest::newRow("path") << u"ssh://db1/etc"_s << u"host name"_s;
        QTest::newRow("no host") << u"ssh://"_s << u"missing"_s;
        QTest::newRow("only user") << u"ssh://root@"_s << u"missing"_s;
        QTest::newRow("two @") << u"ssh://a@b@db1"_s << u"user name"_s;
        QTest::newRow("port text") << u"ssh://db1:ssh"_s << u"port"_s;
        QTest::newRow("port zero") << u"ssh://db1:0"_s << u"port"_s;
        QTest::newRow("port big") << u"ssh://db1:65536"_s << u"port"_s;
        QTest::newRow("port sign") << u"ssh://db1:+22"_s << u"port"_s;
        QTest::newRow("port empty") << u"ssh://db1:"_s << u"port"_s;
        QTest::newRow("ipv6 open") << u"ssh://[fd00::2"_s << u"closing"_s;
        QTest::newRow("ipv6 junk") << u"ssh://[fd00::2;id]"_s << u"IPv6"_s;
        QTest::newRow("label dash") << u"ssh://-db1.example"_s << u"host name"_s;
        QTest::newRow("label dot") << u"ssh://.db1"_s << u"host name"_s;
        QTest::newRow("k8s empty") << u"k8s://"_s << u"missing"_s;
        QTest::newRow("k8s option node") << u"k8s://--kubeconfig"_s << u"node name"_s;
        QTest::newRow("k8s option with slash") << u"k8s://--kubeconfig=/tmp/x"_s << u"not starting with '-'"_s;
        QTest::newRow("k8s option context") << u"k8s://--context=x/node1"_s << u"context"_s;
        QTest::newRow("k8s upper node") << u"k8s://Node1"_s << u"node name"_s;
        QTest::newRow("k8s shell") << u"k8s://ctx/node$(id)"_s << u"node name"_s;
        QTest::newRow("k8s empty node") << u"k8s://ctx/"_s << u"missing"_s;
        QTest::newRow("k8s semicolon context") << u"k8s://a;b/node"_s << u"context"_s;
    }
    void refusesHostile()
    {
        QFETCH(QString, uri);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!Target::parse(uri, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.startsWith(u"invalid target"_s), qPrintable(error));
        // The message never carries a raw control character into a log or a terminal.
        for (QChar c : error)
            QVERIFY2(c.unicode() >= 0x20, qPrintable(error));
    }

    void namedForms()
    {
        QString error;
        std::optional<Target> t = Target::parseWithName(u"db=ssh://root@10.0.0.2"_s, &error);
        QVERIFY2(t, qPrintable(error));
        QCOMPARE(t->name, u"db"_s);
        QCOMPARE(t->host, u"10.0.0.2"_s);
        QCOMPARE(t->displayName(), u"db (ssh://root@10.0.0.2)"_s);
        t = Target::parseWithName(u"ssh://db1"_s, &error);
        QVERIFY(t);
        QCOMPARE(t->name, u"db1"_s);
        QCOMPARE(t->displayName(), u"ssh://db1"_s);
        QVERIFY(!Target::parseWithName(u"-x=ssh://db1"_s, &error));
        QVERIFY(!Target::parseWithName(u"a b=ssh://db1"_s, &error));
        QVERIFY(!Target::parseWithName(u"local=ssh://db1"_s, &error));
        QVERIFY(error.contains(u"'local' is this machine"_s));
        QVERIFY(!Target::parseWithName(u"db=ssh://db 1"_s, &error));
    }

    void validateChecksHandMadeTargets()
    {
        Target t = *Target::parse(u"ssh://db1"_s);
        QString error;
        QVERIFY(t.validate(&error));
        t.bpftracePath = u"/usr/bin/bpftrace; id"_s;
        QVERIFY(!t.validate(&error));
        QVERIFY(error.contains(u"bpftrace path"_s));
        t.bpftracePath = u"-c"_s;
        QVERIFY(!t.validate(&error));
        t.bpftracePath = u"/opt/bpftrace-0.21/bin/bpftrace"_s;
        QVERIFY2(t.validate(&error), qPrintable(error));
        t.host = u"-oProxyCommand=id"_s;
        QVERIFY(!t.validate(&error));
        t = *Target::parse(u"k8s://node1"_s);
        t.image = u"--privileged"_s;
        QVERIFY(!t.validate(&error));
        t.image = u"quay.io/iovisor/bpftrace:v0.21.0"_s;
        QVERIFY2(t.validate(&error), qPrintable(error));
        t.node = u"Node;id"_s;
        QVERIFY(!t.validate(&error));
        t = *Target::parse(u"ssh://db1"_s);
        t.name = u"local"_s;
        QVERIFY(!t.validate(&error));
    }

    void privilegeNames()
    {
        for (RemotePrivilege p : { RemotePrivilege::Auto, RemotePrivilege::Login, RemotePrivilege::Sudo })
            QCOMPARE(remotePrivilegeFromName(remotePrivilegeName(p)), p);
        QVERIFY(!remotePrivilegeFromName(u"root"_s));
        QCOMPARE(targetKindName(TargetKind::Kubernetes), u"kubernetes"_s);
    }
};

QTEST_GUILESS_MAIN(TestTarget)
#include "tst_target.moc"
