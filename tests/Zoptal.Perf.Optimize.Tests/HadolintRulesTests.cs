using Zoptal.Perf.Optimize.Docker;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>
/// Every hadolint id we claim fires exactly where hadolint's rule specification (test/Hadolint/Rule/DL*Spec.hs)
/// says it does, and not where its documented exceptions say it must not: one case per line of the specs.
/// </summary>
public sealed class HadolintRulesTests
{
    private static IReadOnlyList<Finding> Check(string dockerfile) => DockerfileRules.Check("Dockerfile", dockerfile.Replace("\r\n", "\n"));

    public static TheoryData<string, string, bool> Cases => new()
    {
        // DL3006
        { "DL3006", "FROM debian", true },
        { "DL3006", "FROM debian AS builder", true },
        { "DL3006", "FROM ruby@sha256:f1dbca0f5dbc9", false },
        { "DL3006", "FROM ruby:2", false },
        { "DL3006", "FROM ${VALUE}", false },
        { "DL3006", "FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM build as unit-test\nRUN bar\nFROM alpine:3.7\nRUN baz", false },
        { "DL3006", "FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM node as unit-test\nRUN bar\nFROM alpine:3.7\nRUN baz", true },
        { "DL3006", "FROM scratch", false },
        { "DL3006", "FROM build\nFROM debian:12 AS build", true }, // an alias counts only after it is defined

        // DL3007
        { "DL3007", "FROM debian:latest", true },
        { "DL3007", "FROM debian:latest AS builder", true },
        { "DL3007", "FROM debian:jessie", false },
        { "DL3007", "FROM hub.docker.io/debian@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb", false },
        { "DL3007", "FROM hub.docker.io/debian:latest@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb", false },
        { "DL3007", "FROM debian:jessie AS builder", false },

        // DL3002
        { "DL3002", "FROM scratch\nUSER root", true },
        { "DL3002", "FROM scratch\nUSER foo", false },
        { "DL3002", "FROM scratch\nUSER 0", true },
        { "DL3002", "FROM scratch\nUSER root:root", true },
        { "DL3002", "FROM scratch\nUSER 0:0", true },
        { "DL3002", "FROM scratch\nUSER root\nRUN something\nUSER foo", false },
        { "DL3002", "FROM debian as base\nUSER root\nRUN something\nFROM base\nRUN something else", true },
        { "DL3002", "FROM debian as base\nUSER root\nRUN something\nFROM scratch\nUSER foo\nRUN something else", true },
        { "DL3002", "FROM debian as base\nUSER root\nRUN something\nUSER foo\nFROM scratch\nRUN something else", false },
        { "DL3002", "FROM node:22", false }, // no USER at all is not DL3002 (our node-user rule says it)

        // DL3025
        { "DL3025", "FROM node as foo\nENTRYPOINT something", true },
        { "DL3025", "FROM scratch as build\nENTRYPOINT [\"foo\", \"bar\"]", false },
        { "DL3025", "FROM node as foo\nCMD something", true },
        { "DL3025", "FROM scratch as build\nCMD [\"foo\", \"bar\"]\nCMD [ \"foo\", \"bar\" ]", false },
        { "DL3025", "FROM scratch\nHEALTHCHECK CMD foobar", true },
        { "DL3025", "FROM scratch\nHEALTHCHECK CMD [ \"foobar\" ]", false },
        { "DL3025", "FROM scratch\nCMD [ \"/bin/sh\", \"-c\", \\\n      \"echo foo && \\\n       echo bar\" \\\n    ]", false },

        // DL3057
        { "DL3057", "FROM scratch", true },
        { "DL3057", "FROM scratch\nHEALTHCHECK NONE", false },
        { "DL3057", "FROM scratch\nHEALTHCHECK CMD /bin/bla", false },
        { "DL3057", "FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM base", false },
        { "DL3057", "FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3\nFROM base3 AS end\nHEALTHCHECK NONE", false },
        { "DL3057", "FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\nFROM base2 AS base3.2\n\nFROM base3.1 AS end1\nHEALTHCHECK NONE\n\nFROM base3.2 AS end2", true },
        { "DL3057", "FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM scratch", true },

        // DL3020
        { "DL3020", "FROM scratch\nADD file.tar /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD file.gz /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD file.bz2 /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD file.xz /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD file.tgz /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD http://file.com /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD file /usr/src/app/", true },
        { "DL3020", "FROM scratch\nADD file.zip /usr/src/app/", true },
        { "DL3020", "FROM scratch\nADD \"file.tgz\" /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD \"http://file.com\" /usr/src/app/", false },
        { "DL3020", "FROM scratch\nADD \"file.zip\" /usr/src/app/", true },

        // DL4000
        { "DL4000", "FROM busybox\nMAINTAINER hudu@mail.com", true },
        { "DL4000", "FROM debian\nMAINTAINER Lukas", true },
        { "DL4000", "FROM debian", false },

        // DL3000
        { "DL3000", "FROM scratch\nWORKDIR relative/dir", true },
        { "DL3000", "FROM scratch\nWORKDIR /usr/local", false },
        { "DL3000", "FROM scratch\nWORKDIR ${work}", false },
        { "DL3000", "FROM scratch\nWORKDIR 'relative/dir'", true },
        { "DL3000", "FROM scratch\nWORKDIR '/usr/local'", false },
        { "DL3000", "FROM scratch\nWORKDIR \"relative/dir\"", true },
        { "DL3000", "FROM scratch\nWORKDIR \"/usr/local\"", false },
        { "DL3000", "FROM scratch\nWORKDIR \"${dir}\"", false },
        { "DL3000", "FROM scratch\nWORKDIR 'C:\\'", false },
        { "DL3000", "FROM scratch\nWORKDIR C:/", false },
        { "DL3000", "FROM scratch\nWORKDIR \"C:/\"", false },

        // DL4006
        { "DL4006", "FROM scratch\nRUN wget -O - https://some.site | wc -l > /number", true },
        { "DL4006", "FROM scratch as build\nRUN wget -O - https://some.site && wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-e\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"errexit\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/zsh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/usr/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/usr/local/bin/zsh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", true },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number\nFROM scratch as build2\nRUN wget -O - https://some.site | wc -l file > /number", true },
        { "DL4006", "FROM scratch as build\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number\nSHELL [\"/bin/sh\", \"-c\"]\nRUN wget -O - https://some.site | wc -l file > /number", true },
        { "DL4006", "FROM mcr.microsoft.com/powershell:ubuntu-16.04\nSHELL [ \"powershell.exe\" ]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false },
        { "DL4006", "FROM mcr.microsoft.com/powershell:ubuntu-16.04\nSHELL [ \"cmd.exe\", \"/c\" ]\nRUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value", false },
        { "DL4006", "FROM scratch\nRUN echo 'a | b' && test -f x || exit 1", false }, // a quoted pipe and || are no pipes

        // DL3016
        { "DL3016", "FROM node:22\nRUN npm install", false },
        { "DL3016", "FROM node:22\nRUN npm install --progress=false", false },
        { "DL3016", "FROM node:22\nRUN npm install express@4.1.1", false },
        { "DL3016", "FROM node:22\nRUN npm install @myorg/privatepackage@\">=0.1.0\"", false },
        { "DL3016", "FROM node:22\nRUN npm install express@\"4.1.1\" sax@0.1.1", false },
        { "DL3016", "FROM node:22\nRUN npm install --global express@\"4.1.1\"", false },
        { "DL3016", "FROM node:22\nRUN npm install -g express@\"4.1.1\"", false },
        { "DL3016", "FROM node:22\nRUN npm install package-v1.2.3.tar", false },
        { "DL3016", "FROM node:22\nRUN npm install package-v1.2.3.tar.gz", false },
        { "DL3016", "FROM node:22\nRUN npm install package-v1.2.3.tgz", false },
        { "DL3016", "FROM node:22\nRUN npm install /folder", false },
        { "DL3016", "FROM node:22\nRUN npm install ./folder", false },
        { "DL3016", "FROM node:22\nRUN npm install ../folder", false },
        { "DL3016", "FROM node:22\nRUN npm install ~/folder", false },
        { "DL3016", "FROM node:22\nRUN npm install git+ssh://git@github.com:npm/npm.git#v1.0.27", false },
        { "DL3016", "FROM node:22\nRUN npm install git+http://isaacs@github.com/npm/npm#semver:^5.0", false },
        { "DL3016", "FROM node:22\nRUN npm install git+https://isaacs@github.com/npm/npm.git#v1.0.27", false },
        { "DL3016", "FROM node:22\nRUN npm install git://github.com/npm/npm.git#v1.0.27", false },
        { "DL3016", "FROM node:22\nRUN npm run --crazy install", false },
        { "DL3016", "FROM node:22\nRUN npm install @myorg/privatepackage@\">=0.1.0 <0.2.0\"", false },
        { "DL3016", "FROM node:22\nRUN npm install express", true },
        { "DL3016", "FROM node:22\nRUN npm install @myorg/privatepackage", true },
        { "DL3016", "FROM node:22\nRUN npm install express sax@0.1.1", true },
        { "DL3016", "FROM node:22\nRUN npm install --global express", true },
        { "DL3016", "FROM node:22\nRUN npm install git+ssh://git@github.com:npm/npm.git", true },
        { "DL3016", "FROM node:22\nRUN npm install git+http://isaacs@github.com/npm/npm", true },
        { "DL3016", "FROM node:22\nRUN npm install git+https://isaacs@github.com/npm/npm.git", true },
        { "DL3016", "FROM node:22\nRUN npm install git://github.com/npm/npm.git", true },
        { "DL3016", "FROM node:22\nRUN npm install --loglevel verbose sax@0.1.1", false },
        { "DL3016", "FROM node:22\nRUN npm install --registry https://example.com sax@0.1.1", false },
        { "DL3016", "FROM node:22\nRUN npm install --registry https://example.com express", true },
        { "DL3016", "FROM node:22\nRUN npm install --registry=https://example.com express", true },
        { "DL3016", "FROM node:22\nONBUILD RUN npm install express", true },

        // DL3018
        { "DL3018", "FROM alpine:3\nRUN apk add flex", true },
        { "DL3018", "FROM alpine:3\nRUN apk add flex=2.6.4-r1", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache git~2.52.0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache git~=2.52", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache git=~2.52", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache flex=2.6.4-r1 \\\n && apk add --no-cache bison=3.0.4-r0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache \\\n  flex=2.6.4-r1 \\\n  bison=3.0.4-r0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache \\\n  flex=2.6.4-r1 \\\n  bison", true },
        { "DL3018", "FROM alpine:3\nRUN apk add \\\n  --virtual build-dependencies \\\n  python-dev=1.1.1 \\\n  build-base=2.2.2", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache \\\n  --repository https://nl.alpinelinux.org/alpine/edge/testing \\\n  flow=0.78.0-r0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache \\\n  --repository=https://nl.alpinelinux.org/alpine/edge/testing \\\n  flow=0.78.0-r0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add --no-cache \\\n  -X https://nl.alpinelinux.org/alpine/edge/testing \\\n  flow=0.78.0-r0", false },
        { "DL3018", "FROM alpine:3\nRUN apk add mypackage-1.1.1.apk", false },

        // DL3059
        { "DL3059", "FROM debian:10", false },
        { "DL3059", "FROM debian:10\nRUN /foo.sh", false },
        { "DL3059", "FROM debian:10\nRUN /foo.sh\nWORKDIR /\nRUN /bar.sh", false },
        { "DL3059", "FROM debian:10\nRUN /foo.sh\nRUN /bar.sh", true },
        { "DL3059", "FROM debian:10\nRUN /foo.sh\n# a comment\nRUN /bar.sh", true },
        { "DL3059", "FROM debian:10\nRUN /foo.sh\n# a comment\n# another comment\nRUN /bar.sh", true },
        { "DL3059", "# a comment\nFROM debian:10\nRUN /foo.sh", false },
        { "DL3059", "FROM debian:10\nRUN --mount=type=secret,id=foo /foo.sh\nRUN /bar.sh", false },
        { "DL3059", "FROM debian:10\nRUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh", false },
        { "DL3059", "FROM debian:10\nRUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /bar.sh", true },
        { "DL3059", "FROM debian:10\nRUN foo && bar\nRUN foobar", false },
        { "DL3059", "FROM debian:10\nRUN foo; bar\nRUN foobar", false },
        { "DL3059", "FROM debian:10\nRUN foobar\nRUN foo && bar", false },
        { "DL3059", "FROM debian:10\nRUN foobar\nRUN foo; bar", false },
        { "DL3059", "FROM debian:10\nRUN foo && bar\nRUN foo; bar", false },
        { "DL3059", "FROM debian:10\nRUN foo && bar\nRUN foo\nRUN bar", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fires_exactly_where_hadolints_specification_says(string id, string dockerfile, bool fires)
    {
        var findings = Check(dockerfile);
        Assert.DoesNotContain(findings, f => f.RuleId == "dockerfile-unreadable");
        Assert.Equal(fires, findings.Any(f => f.RuleId == id));
    }

    [Fact]
    public void Findings_name_the_line_hadolint_names()
    {
        Assert.Equal([2], Check("FROM scratch\nUSER root\n").Where(f => f.RuleId == "DL3002").Select(f => f.Line));
        Assert.Equal([4, 9], Check("FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\nFROM base2 AS base3.2\n\nFROM base3.1 AS end1\nHEALTHCHECK NONE\n\nFROM base3.2 AS end2\n")
            .Where(f => f.RuleId == "DL3057").Select(f => f.Line));
        Assert.Equal([3], Check("FROM debian:10\nRUN /foo.sh\nRUN /bar.sh\n").Where(f => f.RuleId == "DL3059").Select(f => f.Line));
    }
}
