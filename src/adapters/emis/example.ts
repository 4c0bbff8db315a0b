import type { EmisBatch } from './format.js';

// The example of /docs: one grade-1 student, as sampleEmisBatch(1, 1, { grade: 1 }) makes it (the
// test checks that it still does), kept here so that loading the adapter reads no file.
export const EMIS_EXAMPLE: EmisBatch = {
  "provinceCode": "01",
  "schoolCode": "01005001",
  "schoolName": "Trường Tiểu học Kim Đồng",
  "academicYear": "2024-2025",
  "principalName": "Lê Thị Hương",
  "exportedAt": "2025-06-01T08:00:00+07:00",
  "students": [
    {
      "studentCode": "EM0100500100001",
      "citizenId": "001318996795",
      "fullName": "Nguyễn Thị Hoa",
      "dateOfBirth": "2018-07-12",
      "sex": 2,
      "ethnicity": "Kinh",
      "nationality": "VN",
      "gradeLevel": 1,
      "className": "1A",
      "homeroomTeacher": "Nguyễn Mai Yến",
      "recordNo": "EMIS-01005001-2024-00001",
      "lookupCode": "ASHDYBS95B",
      "issuedDate": "20250531",
      "revision": 1,
      "primaryAssessment": {
        "subjects": [
          {
            "subjectCode": "VIE",
            "achievement": "COMPLETED_WELL",
            "scores": {
              "endTerm1": 5,
              "endYear": 7
            }
          },
          {
            "subjectCode": "MATH",
            "achievement": "COMPLETED_WELL",
            "scores": {
              "endTerm1": 7,
              "endYear": 8
            }
          },
          {
            "subjectCode": "ETHICS",
            "achievement": "COMPLETED_WELL"
          },
          {
            "subjectCode": "NAT_SOC",
            "achievement": "COMPLETED_WELL"
          },
          {
            "subjectCode": "PE",
            "achievement": "COMPLETED_WELL"
          },
          {
            "subjectCode": "MUSIC",
            "achievement": "COMPLETED_WELL"
          },
          {
            "subjectCode": "ART",
            "achievement": "COMPLETED_WELL"
          },
          {
            "subjectCode": "EXP",
            "achievement": "COMPLETED_WELL"
          }
        ],
        "qualities": [
          {
            "code": "PATRIOTISM",
            "rating": "GOOD"
          },
          {
            "code": "KINDNESS",
            "rating": "GOOD"
          },
          {
            "code": "DILIGENCE",
            "rating": "GOOD"
          },
          {
            "code": "HONESTY",
            "rating": "GOOD"
          },
          {
            "code": "RESPONSIBILITY",
            "rating": "GOOD"
          }
        ],
        "competencies": [
          {
            "code": "SELF_LEARNING",
            "rating": "GOOD"
          },
          {
            "code": "COMMUNICATION",
            "rating": "GOOD"
          },
          {
            "code": "PROBLEM_SOLVING",
            "rating": "GOOD"
          },
          {
            "code": "LANGUAGE",
            "rating": "GOOD"
          },
          {
            "code": "NUMERACY",
            "rating": "GOOD"
          },
          {
            "code": "SCIENCE",
            "rating": "GOOD"
          },
          {
            "code": "AESTHETIC",
            "rating": "GOOD"
          },
          {
            "code": "PHYSICAL",
            "rating": "GOOD"
          }
        ],
        "finalResult": "COMPLETED_WELL",
        "programmeCompleted": true,
        "promoted": true,
        "awards": [
          "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"
        ],
        "teacherComment": "Em học tốt, có ý thức tự học, hòa đồng với bạn bè."
      },
      "absences": {
        "excused": 4,
        "unexcused": 0
      },
      "signatures": [
        {
          "signer": "TEACHER",
          "signedAt": "2025-05-26T16:30:00+07:00"
        },
        {
          "signer": "PRINCIPAL",
          "signedAt": "2025-05-29T09:15:00+07:00"
        },
        {
          "signer": "SEAL",
          "signedAt": "2025-05-29T09:20:00+07:00"
        }
      ]
    }
  ]
};
